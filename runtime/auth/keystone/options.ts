// The [WEBSOCKET] options of Keystone validation, and their reading into one typed object.
import type { OptionSpec } from '../../core/options.js';
import type { PyValue } from '../../semantics/pyvalue.js';

export const KEYSTONE_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  keystone_url: { kind: 'string', default: null, doc: 'Keystone identity endpoint (e.g. http://keystone:5000/v3); set = Keystone tokens are validated' },
  keystone_username: { kind: 'string', default: null, doc: "Herald's service user; set = validation with one service token (renewed), else each token validates itself" },
  keystone_password: { kind: 'string', default: null, doc: "the service user's password" },
  keystone_project_name: { kind: 'string', default: null, doc: "the service user's project scope" },
  keystone_user_domain_name: { kind: 'string', default: 'Default', doc: "the service user's domain" },
  keystone_project_domain_name: { kind: 'string', default: 'Default', doc: "the service project's domain" },
  keystone_required_roles: { kind: 'list', default: [], doc: 'a token needs at least one of these role names (empty: any)' },
  keystone_cafile: { kind: 'string', default: null, doc: 'PEM CA bundle for an https keystone_url' },
  keystone_timeout: { kind: 'int', default: 5, doc: 'seconds one Keystone request may take (then auth_unavailable)' },
  keystone_cache_size: { kind: 'int', default: 10000, doc: 'validated tokens remembered (by SHA-256)' },
  keystone_cache_seconds: { kind: 'int', default: 300, doc: 'a validation is reused this long (never past the token expiry)' },
  keystone_revalidate_seconds: { kind: 'int', default: 60, doc: 'each token with open sockets is checked again this often (revoked: close 4001)' },
  keystone_negative_seconds: { kind: 'int', default: 60, doc: 'a token Keystone refused is refused again without asking for this long' },
  keystone_max_concurrent: { kind: 'int', default: 16, doc: 'Keystone requests in flight at once' },
  keystone_max_pending: { kind: 'int', default: 1024, doc: 'validations in flight or waiting; more get auth_unavailable at once' },
};

export interface ServiceCredentials {
  username: string;
  password: string;
  projectName: string;
  userDomainName: string;
  projectDomainName: string;
}

export interface KeystoneSettings {
  /** Base URL ending in /v3, no trailing slash. */
  url: string;
  service: ServiceCredentials | null;
  requiredRoles: string[];
  cafile: string | null;
  timeoutMs: number;
  cacheSize: number;
  cacheMs: number;
  revalidateMs: number;
  negativeMs: number;
  maxConcurrent: number;
  maxPending: number;
}

export class KeystoneOptionError extends Error {}

function text(v: PyValue): string | null {
  return v === null || v === undefined || v === '' ? null : String(v);
}

function positive(option: (name: string) => PyValue, name: string, allowZero = false): number {
  const n = Number(option(name));
  if (!Number.isFinite(n) || n < 0 || (!allowZero && n === 0)) throw new KeystoneOptionError(`${name} must be ${allowZero ? 'zero or more' : 'at least 1'}, not ${String(option(name))}`);
  return n;
}

/** The identity endpoint as Herald calls it: `…/v3` (appended when the URL has no version). */
export function identityBase(raw: string): string {
  let u: URL;
  try {
    u = new URL(raw.trim());
  } catch {
    throw new KeystoneOptionError(`keystone_url is not a URL: ${raw}`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new KeystoneOptionError(`keystone_url must be http or https, not ${u.protocol}`);
  const path = u.pathname.replace(/\/+$/, '');
  u.pathname = /\/v3$/.test(path) ? path : `${path}/v3`;
  u.search = '';
  u.hash = '';
  return u.toString().replace(/\/+$/, '');
}

function serviceCredentials(option: (name: string) => PyValue): ServiceCredentials | null {
  const username = text(option('keystone_username'));
  if (username === null) return null;
  const password = text(option('keystone_password'));
  const projectName = text(option('keystone_project_name'));
  if (password === null || projectName === null) throw new KeystoneOptionError('keystone_username needs keystone_password and keystone_project_name');
  return {
    username,
    password,
    projectName,
    userDomainName: text(option('keystone_user_domain_name')) ?? 'Default',
    projectDomainName: text(option('keystone_project_domain_name')) ?? 'Default',
  };
}

export function readKeystoneSettings(option: (name: string) => PyValue): KeystoneSettings {
  const url = text(option('keystone_url'));
  if (url === null) throw new KeystoneOptionError('keystone_url is not set');
  const roles = option('keystone_required_roles');
  return {
    url: identityBase(url),
    service: serviceCredentials(option),
    requiredRoles: Array.isArray(roles) ? roles.map(String).filter((r) => r !== '') : [],
    cafile: text(option('keystone_cafile')),
    timeoutMs: positive(option, 'keystone_timeout') * 1000,
    cacheSize: positive(option, 'keystone_cache_size', true),
    cacheMs: positive(option, 'keystone_cache_seconds', true) * 1000,
    revalidateMs: positive(option, 'keystone_revalidate_seconds') * 1000,
    negativeMs: positive(option, 'keystone_negative_seconds', true) * 1000,
    maxConcurrent: positive(option, 'keystone_max_concurrent'),
    maxPending: positive(option, 'keystone_max_pending'),
  };
}
