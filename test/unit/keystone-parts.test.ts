// The Keystone authenticator's pure parts: its cache, its request bounds, the token shapes it
// claims, how it reads the endpoint and Keystone's token body. (Keystone itself: test/keystone/.)
import { describe, expect, it } from 'vitest';
import { tokenFacts } from '../../runtime/auth/keystone/api.js';
import { ExpiringLru, tokenDigest } from '../../runtime/auth/keystone/cache.js';
import { Limiter } from '../../runtime/auth/keystone/limiter.js';
import { KeystoneOptionError, identityBase, readKeystoneSettings, KEYSTONE_OPTIONS } from '../../runtime/auth/keystone/options.js';
import { looksLikeKeystoneToken } from '../../runtime/auth/keystone/shape.js';
import type { PyValue } from '../../runtime/semantics/pyvalue.js';

describe('keystone cache', () => {
  it('keeps at most its capacity, dropping the least recently used, and forgets entries at their deadline', () => {
    const c = new ExpiringLru<number>(2);
    const now = Date.now();
    c.set('a', 1, now + 10_000, now);
    c.set('b', 2, now + 10_000, now);
    expect(c.get('a', now)).toBe(1);
    c.set('c', 3, now + 10_000, now);
    expect(c.get('b', now)).toBeUndefined();
    expect(c.get('a', now)).toBe(1);
    expect(c.get('c', now + 10_000)).toBeUndefined();
    expect(c.size).toBe(1);
  });

  it('keys by SHA-256, never the token', () => {
    expect(tokenDigest('secret-token')).toMatch(/^[0-9a-f]{64}$/);
    expect(tokenDigest('secret-token')).not.toContain('secret');
  });
});

describe('keystone request bounds', () => {
  it('never runs more than in-flight jobs at once and turns away what exceeds pending', async () => {
    const limiter = new Limiter(2, 5);
    let running = 0;
    let most = 0;
    const gates: Array<() => void> = [];
    const job = () =>
      new Promise<string>((resolve) => {
        running++;
        most = Math.max(most, running);
        gates.push(() => {
          running--;
          resolve('done');
        });
      });
    const results = Array.from({ length: 8 }, () => limiter.run(job));
    // Unbounded callers (revalidation) wait instead of being turned away.
    const internal = limiter.run(job, false);
    for (let i = 0; i < 6; i++) {
      await new Promise((r) => setTimeout(r, 5));
      gates.shift()?.();
    }
    const all = await Promise.all([...results, internal]);
    expect(all.filter((r) => r === 'done')).toHaveLength(6);
    expect(all.filter((r) => r === null)).toHaveLength(3);
    expect(most).toBe(2);
  });
});

describe('keystone token shapes', () => {
  const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  it('claims fernet tokens and Keystone JWS tokens; leaves other JWTs and junk alone', () => {
    expect(looksLikeKeystoneToken('gAAAAABrD-ri9V3YwICNncn4XXUe29VbEx0tM2jH-OzmJUEdL7NPN74m578woFDRwueccev3bbx')).toBe(true);
    expect(looksLikeKeystoneToken(`${b64({ alg: 'ES256' })}.${b64({ sub: 'u', openstack_project_id: 'p' })}.sig`)).toBe(true);
    expect(looksLikeKeystoneToken(`${b64({ alg: 'HS256' })}.${b64({ sub: 'u', projects: ['p'], exp: 1 })}.signature-of-some-length`)).toBe(false);
    expect(looksLikeKeystoneToken(`${b64({ alg: 'HS256' })}.@@@.sig-of-some-length-xxxxxxxxxxxxxxxxx`)).toBe(false);
    expect(looksLikeKeystoneToken('tooshort')).toBe(false);
    expect(looksLikeKeystoneToken('x'.repeat(8193))).toBe(false);
    expect(looksLikeKeystoneToken('spaces are not in any keystone token, ever at all')).toBe(false);
  });
});

describe('keystone options and answers', () => {
  it('calls the v3 endpoint whether or not the URL names it', () => {
    expect(identityBase('http://keystone:5000/v3')).toBe('http://keystone:5000/v3');
    expect(identityBase('http://keystone:5000/v3/')).toBe('http://keystone:5000/v3');
    expect(identityBase('https://cloud.example/identity')).toBe('https://cloud.example/identity/v3');
    expect(() => identityBase('ftp://x')).toThrow(KeystoneOptionError);
    expect(() => identityBase('not a url')).toThrow(KeystoneOptionError);
  });

  it('reads the options; service credentials need all three parts', () => {
    const opt = (values: Record<string, PyValue>) => (name: string): PyValue => (name in values ? values[name]! : (KEYSTONE_OPTIONS[name]?.default ?? null));
    const s = readKeystoneSettings(opt({ keystone_url: 'http://k:5000', keystone_required_roles: ['member'] }));
    expect(s).toMatchObject({ url: 'http://k:5000/v3', service: null, requiredRoles: ['member'], timeoutMs: 5000, cacheMs: 300_000, revalidateMs: 60_000 });
    expect(() => readKeystoneSettings(opt({ keystone_url: 'http://k', keystone_username: 'herald' }))).toThrow(/keystone_password/);
    expect(() => readKeystoneSettings(opt({ keystone_url: 'http://k', keystone_revalidate_seconds: 0 }))).toThrow(/keystone_revalidate_seconds/);
  });

  it("reads Keystone's token body: user, project (or none), roles, expiry; refuses other shapes", () => {
    const body = { token: { user: { id: 'u1' }, project: { id: 'p1' }, roles: [{ id: 'r', name: 'member' }], expires_at: '2030-01-01T00:00:00.000000Z' } };
    expect(tokenFacts(JSON.stringify(body))).toEqual({ user: 'u1', project: 'p1', roles: ['member'], expiresAt: Date.parse('2030-01-01T00:00:00Z') });
    expect(tokenFacts(JSON.stringify({ token: { ...body.token, project: undefined } }))?.project).toBeNull();
    expect(tokenFacts(JSON.stringify({ token: { user: {}, expires_at: '2030-01-01T00:00:00Z' } }))).toBeNull();
    expect(tokenFacts('<html>')).toBeNull();
  });
});
