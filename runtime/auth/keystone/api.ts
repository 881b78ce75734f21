// The two Keystone calls Herald makes, with their answers reduced to what Herald needs:
// GET /v3/auth/tokens (validate a subject token) and POST /v3/auth/tokens (a service token).
import type { KeystoneHttp, HttpResult } from './http.js';
import type { ServiceCredentials } from './options.js';

/** What a valid Keystone token says about its holder. */
export interface TokenFacts {
  user: string;
  /** The project it is scoped to; null for unscoped, domain- or system-scoped tokens. */
  project: string | null;
  roles: string[];
  /** ms since the epoch. */
  expiresAt: number;
}

/** Why Keystone could not give an answer (the metric label `kind`). */
export type UnavailableReason = 'timeout' | 'unreachable' | 'tls' | 'too_large' | 'http_error' | 'bad_response' | 'forbidden' | 'service_auth' | 'overloaded';

export type Validation = { kind: 'valid'; facts: TokenFacts } | { kind: 'refused' } | { kind: 'unavailable'; reason: UnavailableReason };

/** HTTP answers that say "this subject token is not (any longer) valid". */
export type RawValidation = Validation | { kind: 'caller_refused' };

function asRecord(v: unknown): Record<string, unknown> | null {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
}

/** The token body's facts, or null when it is not the shape Keystone documents. */
export function tokenFacts(body: string): TokenFacts | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return null;
  }
  const token = asRecord(asRecord(parsed)?.token);
  const user = asRecord(token?.user)?.id;
  const expires = Date.parse(String(token?.expires_at ?? ''));
  if (typeof user !== 'string' || user === '' || !Number.isFinite(expires)) return null;
  const project = asRecord(token?.project)?.id;
  const roles = Array.isArray(token?.roles) ? token.roles.map((r) => asRecord(r)?.name).filter((n): n is string => typeof n === 'string') : [];
  return { user, project: typeof project === 'string' && project !== '' ? project : null, roles, expiresAt: expires };
}

function failure(r: Extract<HttpResult, { ok: false }>): { kind: 'unavailable'; reason: UnavailableReason } {
  return { kind: 'unavailable', reason: r.failure };
}

/**
 * Validates `subject` with `caller` as X-Auth-Token (the same token, or the service token).
 * 404: the subject is unknown, revoked or expired. 401: the caller is not authenticated, which
 * for a self-validation is the same verdict, and for a service token means "renew it".
 */
export async function validateToken(http: KeystoneHttp, base: string, caller: string, subject: string): Promise<RawValidation> {
  const r = await http.request({ method: 'GET', url: `${base}/auth/tokens?nocatalog`, headers: { 'x-auth-token': caller, 'x-subject-token': subject } });
  if (!r.ok) return failure(r);
  if (r.status === 200) {
    const facts = tokenFacts(r.body);
    return facts ? { kind: 'valid', facts } : { kind: 'unavailable', reason: 'bad_response' };
  }
  if (r.status === 404) return { kind: 'refused' };
  if (r.status === 401) return { kind: 'caller_refused' };
  if (r.status === 403) return { kind: 'unavailable', reason: 'forbidden' };
  return { kind: 'unavailable', reason: 'http_error' };
}

export type Issued = { kind: 'issued'; token: string; expiresAt: number } | { kind: 'unavailable'; reason: UnavailableReason };

/** A project-scoped token for Herald's own service user (password method). */
export async function issueServiceToken(http: KeystoneHttp, base: string, c: ServiceCredentials): Promise<Issued> {
  const body = {
    auth: {
      identity: { methods: ['password'], password: { user: { name: c.username, domain: { name: c.userDomainName }, password: c.password } } },
      scope: { project: { name: c.projectName, domain: { name: c.projectDomainName } } },
    },
  };
  const r = await http.request({ method: 'POST', url: `${base}/auth/tokens?nocatalog`, headers: {}, body: JSON.stringify(body) });
  if (!r.ok) return failure(r);
  if (r.status === 401 || r.status === 403 || r.status === 404) return { kind: 'unavailable', reason: 'service_auth' };
  if (r.status !== 201 && r.status !== 200) return { kind: 'unavailable', reason: 'http_error' };
  const token = r.headers['x-subject-token'];
  const facts = tokenFacts(r.body);
  if (typeof token !== 'string' || token === '' || !facts) return { kind: 'unavailable', reason: 'bad_response' };
  return { kind: 'issued', token, expiresAt: facts.expiresAt };
}
