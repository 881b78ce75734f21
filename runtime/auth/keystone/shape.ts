// Which tokens Keystone is asked about at all: a cheap look at the shape, no I/O.
// Fernet tokens (Keystone's default) are URL-safe base64 without dots. Tokens of Keystone's
// `jws` provider are JWTs whose payload carries `openstack_*` claims; other JWTs (Herald's own)
// are left to the JWT authenticator, so a forged one never costs a Keystone request.

export const MIN_TOKEN_CHARS = 32;
export const MAX_TOKEN_CHARS = 8192;

const FERNET = /^[A-Za-z0-9_-]+={0,2}$/;
const JWS = /^[A-Za-z0-9_-]+\.([A-Za-z0-9_-]+)\.[A-Za-z0-9_-]+$/;

function isKeystoneJwsPayload(segment: string): boolean {
  try {
    const payload: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    return typeof payload === 'object' && payload !== null && Object.keys(payload).some((k) => k.startsWith('openstack_'));
  } catch {
    return false;
  }
}

export function looksLikeKeystoneToken(token: string): boolean {
  if (token.length < MIN_TOKEN_CHARS || token.length > MAX_TOKEN_CHARS) return false;
  if (FERNET.test(token)) return true;
  const jws = JWS.exec(token);
  return jws !== null && isKeystoneJwsPayload(jws[1]!);
}
