// Which authenticator answers for a token: claims in registry order, auth_failed falls through,
// expired and unavailable are the answer, no claim costs no call. The JWT authenticator itself
// with real tokens.
import { describe, expect, it } from 'vitest';
import type { Authenticator, AuthOutcome } from '../../runtime/auth/authenticator.js';
import { routeAuth } from '../../runtime/auth/router.js';
import { makeJwtAuthenticator } from '../../runtime/auth/jwt/jwt.js';
import { signHs256 } from '../../runtime/auth/jwt/sign.js';

function fake(kind: string, claims: (t: string) => boolean, answer: AuthOutcome | 'throw', calls: string[]): Authenticator {
  return {
    kind,
    claims,
    async authenticate(t) {
      calls.push(`${kind}:${t}`);
      if (answer === 'throw') throw new Error('boom');
      return answer;
    },
  };
}

const ok = (user: string): AuthOutcome => ({ ok: true, identity: { user, projects: [], expiresAt: 0, via: 'x' } });

describe('auth routing', () => {
  it('asks only claiming authenticators, in order; auth_failed lets the next one try', async () => {
    const calls: string[] = [];
    const route = routeAuth([
      fake('a', (t) => t.includes('.'), { ok: false, code: 'auth_failed', message: 'not mine' }, calls),
      fake('b', () => false, ok('never'), calls),
      fake('c', () => true, ok('carol'), calls),
    ]);
    const r = await route('x.y');
    expect(r.outcome).toMatchObject({ ok: true, identity: { user: 'carol' } });
    expect(r.by?.kind).toBe('c');
    expect(calls).toEqual(['a:x.y', 'c:x.y']);
  });

  it('token_expired and auth_unavailable are the answer; later authenticators are not asked', async () => {
    for (const code of ['token_expired', 'auth_unavailable'] as const) {
      const calls: string[] = [];
      const r = await routeAuth([fake('a', () => true, { ok: false, code, message: code }, calls), fake('b', () => true, ok('b'), calls)])('t');
      expect(r.outcome).toMatchObject({ ok: false, code });
      expect(calls).toEqual(['a:t']);
    }
  });

  it('none claiming: auth_failed without any call; all refusing: the last refusal', async () => {
    const calls: string[] = [];
    expect((await routeAuth([fake('a', () => false, ok('a'), calls)])('t')).outcome).toMatchObject({ ok: false, code: 'auth_failed' });
    expect(calls).toEqual([]);
    const r = await routeAuth([fake('a', () => true, { ok: false, code: 'auth_failed', message: 'first' }, calls), fake('b', () => true, { ok: false, code: 'auth_failed', message: 'second' }, calls)])('t');
    expect(r.outcome).toMatchObject({ code: 'auth_failed', message: 'second' });
  });

  it('an authenticator that throws answers auth_unavailable, never admits', async () => {
    const r = await routeAuth([fake('a', () => true, 'throw', [])])('t');
    expect(r.outcome).toMatchObject({ ok: false, code: 'auth_unavailable' });
    expect(r.by).toBeNull();
  });
});

describe('jwt authenticator', () => {
  const secret = 'unit-secret-of-at-least-32-bytes-long!!';
  it('claims JWT-shaped tokens only, verifies user and projects, tells expired from forged', async () => {
    const jwt = (await makeJwtAuthenticator({ secret, publicKeyFile: null, jwksFile: null, audience: null, issuer: null }))!;
    const now = Math.floor(Date.now() / 1000);
    const good = await signHs256(secret, { sub: 'alice', projects: ['A', '', 'B'], exp: now + 60 });
    expect(jwt.claims(good)).toBe(true);
    expect(jwt.claims('gAAAAABfernet-token-without-dots')).toBe(false);
    expect(jwt.claims('e'.repeat(20000))).toBe(false);
    expect(await jwt.authenticate(good)).toMatchObject({ ok: true, identity: { user: 'alice', projects: ['A', 'B'], via: 'jwt', expiresAt: (now + 60) * 1000 } });
    expect(await jwt.authenticate(await signHs256(secret, { sub: 'alice', exp: now - 10 }))).toMatchObject({ ok: false, code: 'token_expired' });
    expect(await jwt.authenticate(await signHs256('another-secret-of-at-least-32-bytes!!', { sub: 'alice', exp: now + 60 }))).toMatchObject({ ok: false, code: 'auth_failed' });
    expect(jwt.watch).toBeUndefined();
  });

  it('no key configured: no authenticator', async () => {
    expect(await makeJwtAuthenticator({ secret: null, publicKeyFile: null, jwksFile: null, audience: null, issuer: null })).toBeNull();
  });
});
