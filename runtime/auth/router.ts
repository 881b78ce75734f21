// Which authenticator answers for a token: those that claim its shape are asked in registry
// order. ok ends it; auth_failed lets the next claiming one try (a JWT Keystone issued is not
// ours to refuse); token_expired and auth_unavailable are the answer (the token was recognised,
// or could not be checked now). When none claims it: auth_failed, with no I/O spent.
import type { AuthFailure, Authenticator, AuthOutcome } from './authenticator.js';

export interface Routed {
  outcome: AuthOutcome;
  /** Who vouched (for `watch`), or null on refusal. */
  by: Authenticator | null;
}

export type AuthRouter = (token: string) => Promise<Routed>;

const UNRECOGNISED: AuthFailure = { ok: false, code: 'auth_failed', message: 'token not recognised by any configured authenticator' };

export function routeAuth(authenticators: readonly Authenticator[]): AuthRouter {
  return async (token) => {
    let failure: AuthFailure = UNRECOGNISED;
    for (const a of authenticators) {
      if (!a.claims(token)) continue;
      let outcome: AuthOutcome;
      try {
        outcome = await a.authenticate(token);
      } catch {
        // An authenticator that throws could not check the token: retry later, never admit.
        outcome = { ok: false, code: 'auth_unavailable', message: `${a.kind} could not check the token now: try again later` };
      }
      if (outcome.ok) return { outcome, by: a };
      if (outcome.code !== 'auth_failed') return { outcome, by: null };
      failure = outcome;
    }
    return { outcome: failure, by: null };
  };
}
