// JWT verification (websocket.md §1) with jose: HS256 with a shared secret, or RS256/ES256 with a
// PEM public key or a JWKS file. `exp` and `sub` are required; `alg: none` and algorithm
// confusion are refused because each key type is bound to its own algorithms. A JWT cannot be
// revoked, so this authenticator has no `watch`: expiry alone ends it.
import { readFileSync } from 'node:fs';
import { createPublicKey } from 'node:crypto';
import { createLocalJWKSet, errors, importSPKI, jwtVerify, type JWTPayload, type JWTVerifyGetKey, type KeyObject } from 'jose';
import type { Authenticator, AuthOutcome } from '../authenticator.js';

export interface JwtKeys {
  secret: string | null;
  publicKeyFile: string | null;
  jwksFile: string | null;
  audience: string | null;
  issuer: string | null;
}

/** Tokens longer than this are refused before any parsing. */
export const MAX_TOKEN_BYTES = 8192;

/** Three base64url segments (the signature may be empty, so `alg: none` is claimed and refused). */
const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

type Key = { kind: 'static'; key: Uint8Array | KeyObject } | { kind: 'set'; key: JWTVerifyGetKey };

async function loadKey(k: JwtKeys): Promise<{ key: Key; algorithms: string[] } | null> {
  if (k.jwksFile) {
    const jwks = JSON.parse(readFileSync(k.jwksFile, 'utf8')) as Parameters<typeof createLocalJWKSet>[0];
    return { key: { kind: 'set', key: createLocalJWKSet(jwks) }, algorithms: ['RS256', 'ES256'] };
  }
  if (k.publicKeyFile) {
    const pem = readFileSync(k.publicKeyFile, 'utf8');
    const type = createPublicKey(pem).asymmetricKeyType;
    if (type !== 'ec' && type !== 'rsa') throw new Error(`an RSA or EC public key is needed, not ${type}`);
    const alg = type === 'ec' ? 'ES256' : 'RS256';
    return { key: { kind: 'static', key: (await importSPKI(pem, alg)) as KeyObject }, algorithms: [alg] };
  }
  if (k.secret) return { key: { kind: 'static', key: new TextEncoder().encode(k.secret) }, algorithms: ['HS256'] };
  return null;
}

/** The JWT authenticator for these keys; null when no key is configured. */
export async function makeJwtAuthenticator(keys: JwtKeys): Promise<Authenticator | null> {
  const loaded = await loadKey(keys);
  if (!loaded) return null;
  const { key, algorithms } = loaded;
  const options = { requiredClaims: ['exp', 'sub'], algorithms, ...(keys.audience ? { audience: keys.audience } : {}), ...(keys.issuer ? { issuer: keys.issuer } : {}) };
  const verify = (token: string) => (key.kind === 'set' ? jwtVerify(token, key.key, options) : jwtVerify(token, key.key, options));
  return {
    kind: 'jwt',
    claims: (token) => token.length <= MAX_TOKEN_BYTES && JWT_SHAPE.test(token),
    async authenticate(token): Promise<AuthOutcome> {
      if (token.length > MAX_TOKEN_BYTES) return { ok: false, code: 'auth_failed', message: `token longer than ${MAX_TOKEN_BYTES} bytes` };
      let payload: JWTPayload;
      try {
        payload = (await verify(token)).payload;
      } catch (e) {
        if (e instanceof errors.JWTExpired) return { ok: false, code: 'token_expired', message: 'token expired' };
        const detail = e instanceof errors.JOSEError ? e.code : 'ERR_INVALID_TOKEN';
        return { ok: false, code: 'auth_failed', message: `invalid token (${detail})` };
      }
      if (typeof payload.sub !== 'string' || payload.sub === '') return { ok: false, code: 'auth_failed', message: 'token has no sub' };
      const projects = Array.isArray(payload.projects) ? payload.projects.filter((p): p is string => typeof p === 'string' && p !== '') : [];
      return { ok: true, identity: { user: payload.sub, projects, expiresAt: (payload.exp ?? 0) * 1000, via: 'jwt' } };
    },
  };
}
