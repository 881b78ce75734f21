// Asks Keystone about one token, either as itself (X-Auth-Token = X-Subject-Token) or with
// Herald's one service token, which is fetched once, shared, and renewed before it runs out.
import { issueServiceToken, validateToken, type Validation } from './api.js';
import type { KeystoneHttp } from './http.js';
import type { ServiceCredentials } from './options.js';

/** Renew the service token when less than this share of its life (or a minute) is left. */
const RENEW_SHARE = 0.1;
const RENEW_MIN_MS = 60_000;

export type ServiceTokenOutcome = 'issued' | 'unavailable';

class ServiceToken {
  private current: { token: string; renewAt: number } | null = null;
  private pending: Promise<string | Validation> | null = null;

  constructor(
    private readonly http: KeystoneHttp,
    private readonly base: string,
    private readonly credentials: ServiceCredentials,
    private readonly counted: (outcome: ServiceTokenOutcome) => void,
  ) {}

  /** The token, or the reason none could be had; concurrent callers share one request. */
  get(): Promise<string | Validation> {
    if (this.current && Date.now() < this.current.renewAt) return Promise.resolve(this.current.token);
    this.pending ??= this.issue().finally(() => (this.pending = null));
    return this.pending;
  }

  /** Keystone no longer takes `token` (revoked, rotated keys): the next get() fetches a new one. */
  drop(token: string): void {
    if (this.current?.token === token) this.current = null;
  }

  private async issue(): Promise<string | Validation> {
    const r = await issueServiceToken(this.http, this.base, this.credentials);
    this.counted(r.kind);
    if (r.kind === 'unavailable') return r;
    const now = Date.now();
    const life = Math.max(0, r.expiresAt - now);
    this.current = { token: r.token, renewAt: now + life - Math.max(life * RENEW_SHARE, Math.min(RENEW_MIN_MS, life / 2)) };
    return r.token;
  }
}

export type Validator = (token: string) => Promise<Validation>;

/** Each token validates itself: 401 and 404 both mean "not valid". */
export function selfValidator(http: KeystoneHttp, base: string): Validator {
  return async (token) => {
    const r = await validateToken(http, base, token, token);
    return r.kind === 'caller_refused' ? { kind: 'refused' } : r;
  };
}

/** Validation with the service token; a 401 (service token gone) renews it and tries once more. */
export function serviceValidator(http: KeystoneHttp, base: string, credentials: ServiceCredentials, counted: (o: ServiceTokenOutcome) => void): Validator {
  const service = new ServiceToken(http, base, credentials, counted);
  return async (token) => {
    for (let attempt = 0; attempt < 2; attempt++) {
      const caller = await service.get();
      if (typeof caller !== 'string') return caller;
      const r = await validateToken(http, base, caller, token);
      if (r.kind !== 'caller_refused') return r;
      service.drop(caller);
    }
    return { kind: 'unavailable', reason: 'service_auth' };
  };
}
