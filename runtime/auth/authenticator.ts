// The credential seam (style.md "auth seam"): a token from the auth frame or the upgrade's
// Authorization / X-Auth-Token header goes in; who it is (user, projects, expiry) or a coded
// refusal comes out. JWT and Keystone are implementations; configuration decides which run.

export interface Identity {
  user: string;
  /** Projects this connection may hear: exactly those its own credential carries. */
  projects: string[];
  /** When the credential expires, ms since the epoch (the socket closes with 4003 then). */
  expiresAt: number;
  /** The authenticator that vouched for it (`jwt`, `keystone`): logs and metric labels. */
  via: string;
}

/**
 * auth_failed: bad, forged, revoked credential (close 4001);
 * token_expired: it was good once (close 4003);
 * auth_unavailable: it could not be checked now, retry later (close 1013).
 */
export type AuthFailureCode = 'auth_failed' | 'token_expired' | 'auth_unavailable';

export interface AuthFailure {
  ok: false;
  code: AuthFailureCode;
  /** Safe to show the client: never contains the token. */
  message: string;
}

export type AuthOutcome = { ok: true; identity: Identity } | AuthFailure;

export interface Authenticator {
  /** `jwt`, `keystone`. */
  readonly kind: string;
  /**
   * Whether this authenticator should be asked about this token at all: a cheap look at its
   * shape, no I/O (a JWT has two dots; a Keystone fernet token has none).
   */
  claims(token: string): boolean;
  authenticate(token: string): Promise<AuthOutcome>;
  /**
   * While sockets hold this token, call `onEnd` if it stops being valid before its expiry
   * (Keystone revocation, a deleted user). Returns the function that stops watching.
   * Authenticators whose credentials cannot be revoked leave this out.
   */
  watch?(token: string, onEnd: (failure: AuthFailure) => void): () => void;
  close?(): Promise<void>;
}
