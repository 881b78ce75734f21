// Token verification (websocket.md §1) with jose: HS256 with a shared secret, or RS256/ES256
// with a PEM public key or a JWKS file. `exp` and `sub` are required; `alg: none` and algorithm
// confusion are refused because each key type is bound to its own algorithms.
import { readFileSync } from 'node:fs';
import { createPublicKey } from 'node:crypto';
import { SignJWT, createLocalJWKSet, errors, importSPKI, jwtVerify, type JWTPayload, type JWTVerifyGetKey, type KeyObject } from 'jose';
import type { WebSocketConfig } from './config.js';

export interface Identity {
  user: string;
  projects: string[];
  /** Expiry, ms since the epoch. */
  expiresAt: number;
}

export type AuthOutcome = { ok: true; identity: Identity } | { ok: false; code: 'auth_failed' | 'token_expired'; message: string };

export type Verifier = (token: string) => Promise<AuthOutcome>;

/** Tokens longer than this are refused before any parsing. */
const MAX_TOKEN_BYTES = 8192;

export async function makeVerifier(ws: WebSocketConfig, secretOverride?: string): Promise<Verifier | null> {
  const options = { requiredClaims: ['exp', 'sub'], ...(ws.jwtAudience ? { audience: ws.jwtAudience } : {}), ...(ws.jwtIssuer ? { issuer: ws.jwtIssuer } : {}) };
  let key: Uint8Array | KeyObject | JWTVerifyGetKey;
  let algorithms: string[];
  const secret = ws.jwtSecret ?? secretOverride;
  if (ws.jwtJwksFile) {
    key = createLocalJWKSet(JSON.parse(readFileSync(ws.jwtJwksFile, 'utf8')) as Parameters<typeof createLocalJWKSet>[0]);
    algorithms = ['RS256', 'ES256'];
  } else if (ws.jwtPublicKeyFile) {
    const pem = readFileSync(ws.jwtPublicKeyFile, 'utf8');
    const type = createPublicKey(pem).asymmetricKeyType;
    if (type !== 'ec' && type !== 'rsa') throw new Error(`${ws.jwtPublicKeyFile}: an RSA or EC public key is needed, not ${type}`);
    const alg = type === 'ec' ? 'ES256' : 'RS256';
    key = (await importSPKI(pem, alg)) as KeyObject;
    algorithms = [alg];
  } else if (secret) {
    key = new TextEncoder().encode(secret);
    algorithms = ['HS256'];
  } else return null;
  return async (token) => {
    if (token.length > MAX_TOKEN_BYTES) return { ok: false, code: 'auth_failed', message: `token longer than ${MAX_TOKEN_BYTES} bytes` };
    let payload: JWTPayload;
    try {
      payload =
        typeof key === 'function' ? (await jwtVerify(token, key, { ...options, algorithms })).payload : (await jwtVerify(token, key as Uint8Array, { ...options, algorithms })).payload;
    } catch (e) {
      if (e instanceof errors.JWTExpired) return { ok: false, code: 'token_expired', message: 'token expired' };
      const detail = e instanceof errors.JOSEError ? e.code : 'ERR_INVALID_TOKEN';
      return { ok: false, code: 'auth_failed', message: `invalid token (${detail})` };
    }
    const projects = Array.isArray(payload.projects) ? payload.projects.filter((p): p is string => typeof p === 'string' && p !== '') : [];
    if (typeof payload.sub !== 'string' || payload.sub === '') return { ok: false, code: 'auth_failed', message: 'token has no sub' };
    return { ok: true, identity: { user: payload.sub, projects, expiresAt: (payload.exp ?? 0) * 1000 } };
  };
}

export interface TokenClaims {
  sub: string;
  projects?: readonly string[];
  /** Expiry, seconds since the epoch. */
  exp: number;
  audience?: string;
  issuer?: string;
}

/** An HS256 token as Herald verifies it (development tokens, `herald token`, tests, benches). */
export function signHs256(secret: string, c: TokenClaims): Promise<string> {
  let jwt = new SignJWT({ projects: [...(c.projects ?? [])] }).setProtectedHeader({ alg: 'HS256' }).setSubject(c.sub).setIssuedAt().setExpirationTime(c.exp);
  if (c.audience) jwt = jwt.setAudience(c.audience);
  if (c.issuer) jwt = jwt.setIssuer(c.issuer);
  return jwt.sign(new TextEncoder().encode(secret));
}
