// The Keystone authenticator on its own (no gateway) against a real Keystone: who a token is,
// refusals, revocation while watched, one request for many, outages and recovery, service mode.
import { Writable } from 'node:stream';
import pino from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuthFailure } from '../../runtime/auth/authenticator.js';
import type { KeystoneAuthenticator } from '../../runtime/auth/keystone/authenticator.js';
import { createKeystoneAuthenticator, keystoneFactory } from '../../runtime/auth/keystone/index.js';
import { KEYSTONE_OPTIONS } from '../../runtime/auth/keystone/options.js';
import type { PyValue } from '../../runtime/semantics/pyvalue.js';
import { signHs256 } from '../../runtime/auth/jwt/sign.js';
import { makeJwtAuthenticator } from '../../runtime/auth/jwt/jwt.js';
import { routeAuth } from '../../runtime/auth/router.js';
import { sleep } from '../gateway/harness.js';
import { startKeystoneWithTwoTenants, tlsFront, type Keystone, type KeystoneUser } from './harness.js';

let ks: Keystone;
let P: string;
let Q: string;
let alice: KeystoneUser & { token: string };
let bob: KeystoneUser & { token: string };
const logLines: string[] = [];
const tokensSeen: string[] = [];
const made: Array<{ auth: KeystoneAuthenticator; registry: Registry }> = [];

async function make(options: Record<string, PyValue> = {}, clock: () => number = Date.now) {
  const registry = new Registry();
  const sink = new Writable({ write: (chunk: Buffer, _enc, done) => (logLines.push(chunk.toString()), done()) });
  // A roomy timeout: a Keystone just restarted on a busy machine answers its first validations slowly.
  const values: Record<string, PyValue> = { keystone_url: ks.url, keystone_timeout: 15, ...options };
  const option = (name: string): PyValue => (name in values ? values[name]! : (KEYSTONE_OPTIONS[name]?.default ?? null));
  expect(keystoneFactory.enabled(option)).toBe(true);
  const auth = await createKeystoneAuthenticator({ option, configPath: null, log: pino({ level: 'debug' }, sink), registry }, clock);
  made.push({ auth, registry });
  return { auth, registry };
}

/** A metric's value summed over the series whose labels include `labels`. */
async function metric(registry: Registry, name: string, labels: Record<string, string> = {}): Promise<number> {
  const m = registry.getSingleMetric(name);
  if (!m) throw new Error(`no metric ${name}`);
  const { values } = await m.get();
  return values.filter((v) => Object.entries(labels).every(([k, x]) => v.labels[k] === x)).reduce((s, v) => s + v.value, 0);
}

async function fresh(user: KeystoneUser, projectId?: string): Promise<string> {
  const t = await ks.token(user.name, user.password, projectId ? { projectId } : {});
  tokensSeen.push(t);
  return t;
}

async function until(what: string, pred: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

beforeAll(async () => {
  ({ ks, P, Q, alice, bob } = await startKeystoneWithTwoTenants());
  tokensSeen.push(alice.token, bob.token);
});

afterAll(async () => {
  for (const m of made) await m.auth.close();
  ks?.down();
});

describe('keystone authenticator', () => {
  it('validates alice and bob to their own user and project; an unscoped token hears only its user', async () => {
    const { auth } = await make();
    expect(auth.claims(alice.token)).toBe(true);
    const a = await auth.authenticate(alice.token);
    const b = await auth.authenticate(bob.token);
    expect(a).toMatchObject({ ok: true, identity: { user: alice.id, projects: [P], via: 'keystone' } });
    expect(b).toMatchObject({ ok: true, identity: { user: bob.id, projects: [Q], via: 'keystone' } });
    if (!a.ok) throw new Error('unreachable');
    expect(a.identity.expiresAt).toBeGreaterThan(Date.now() + 3000_000);
    const unscoped = await auth.authenticate(await fresh(alice));
    expect(unscoped).toMatchObject({ ok: true, identity: { user: alice.id, projects: [] } });
  });

  it('claims fernet and Keystone-JWS shapes, not Herald JWTs or junk', async () => {
    const { auth } = await make();
    const herald = await signHs256('x'.repeat(40), { sub: 'u', exp: Math.floor(Date.now() / 1000) + 60 });
    const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const keystoneJws = `${b64({ alg: 'ES256', typ: 'JWT' })}.${b64({ sub: 'u', exp: 1, openstack_methods: ['password'] })}.${'s'.repeat(86)}`;
    expect(auth.claims(herald)).toBe(false);
    expect(auth.claims(keystoneJws)).toBe(true);
    expect(auth.claims('short')).toBe(false);
    expect(auth.claims('has spaces and "quotes" which no Keystone token has')).toBe(false);
    expect(auth.claims('A'.repeat(9000))).toBe(false);
  });

  it('refuses garbage, a deleted user, a disabled user and a revoked token; a refusal is remembered', async () => {
    const { auth, registry } = await make();
    const garbage = 'gAAAAA' + 'x'.repeat(120);
    const before = await ks.settledValidations();
    expect(await auth.authenticate(garbage)).toMatchObject({ ok: false, code: 'auth_failed' });
    expect(await auth.authenticate(garbage)).toMatchObject({ ok: false, code: 'auth_failed' });
    expect(await ks.validationsSince(before, 1)).toBe(1);
    expect(await metric(registry, 'herald_keystone_cache_hits_total', { kind: 'refused' })).toBe(1);

    const carol = await ks.member('carol', P);
    const dave = await ks.member('dave', P);
    const erin = await ks.member('erin', P);
    tokensSeen.push(carol.token, dave.token, erin.token);
    await ks.deleteUser(carol.id);
    await ks.disableUser(dave.id);
    await ks.revoke(erin.token);
    for (const t of [carol.token, dave.token, erin.token]) {
      const r = await auth.authenticate(t);
      expect(r).toMatchObject({ ok: false, code: 'auth_failed' });
      if (!r.ok) expect(r.message).not.toContain(t);
    }
    expect(await metric(registry, 'herald_keystone_failures_total', { kind: 'refused' })).toBe(5);
  });

  it('a flood of distinct garbage tokens costs Keystone at most keystone_max_pending requests; the rest get auth_unavailable at once', async () => {
    const { auth, registry } = await make({ keystone_max_concurrent: 2, keystone_max_pending: 10 });
    const before = await ks.settledValidations();
    const flood = Array.from({ length: 200 }, (_, i) => `gAAAAA${String(i).padStart(4, '0')}${'q'.repeat(100)}`);
    const results = await Promise.all(flood.map((t) => auth.authenticate(t)));
    expect(results.filter((r) => !r.ok && r.code === 'auth_failed')).toHaveLength(10);
    expect(results.filter((r) => !r.ok && r.code === 'auth_unavailable')).toHaveLength(190);
    expect(await ks.validationsSince(before, 10)).toBe(10);
    expect(await metric(registry, 'herald_keystone_failures_total', { kind: 'overloaded' })).toBe(190);
  });

  it('checks the required roles (any of them)', async () => {
    const { auth } = await make({ keystone_required_roles: ['admin', 'operator'] });
    expect(await auth.authenticate(alice.token)).toMatchObject({ ok: false, code: 'auth_failed' });
    const admin = await ks.token('admin', 'adminpw', { projectName: 'admin' });
    tokensSeen.push(admin);
    expect(await auth.authenticate(admin)).toMatchObject({ ok: true });
  });

  it('1,000 concurrent authentications of one token make one Keystone request', async () => {
    const { auth, registry } = await make();
    const t = await fresh(alice, P);
    const before = await ks.settledValidations();
    const results = await Promise.all(Array.from({ length: 1000 }, () => auth.authenticate(t)));
    expect(results.every((r) => r.ok && r.identity.user === alice.id)).toBe(true);
    expect(await metric(registry, 'herald_keystone_validations_total', { purpose: 'connect' })).toBe(1);
    expect(await ks.validationsSince(before, 1)).toBe(1);
    expect(await metric(registry, 'herald_keystone_cache_hits_total', { kind: 'joined' })).toBe(999);
    // And later ones come from the cache.
    await auth.authenticate(t);
    expect(await ks.validationsSince(before, 1)).toBe(1);
    expect(await metric(registry, 'herald_keystone_cache_hits_total', { kind: 'valid' })).toBe(1);
  });

  it('revalidates each watched token once per pass, however many sockets hold it; a revoked one ends all its holders', async () => {
    const { auth, registry } = await make({ keystone_revalidate_seconds: 3600 });
    const t = await fresh(alice, P);
    const u = await fresh(bob, Q);
    const ended: Record<string, AuthFailure[]> = { t: [], u: [] };
    for (const [name, tok] of [['t', t], ['u', u]] as const) {
      expect(await auth.authenticate(tok)).toMatchObject({ ok: true });
      for (let i = 0; i < 5; i++) auth.watch(tok, (f) => ended[name]!.push(f));
    }
    const before = await ks.settledValidations();
    await auth.revalidateNow();
    expect(await ks.validationsSince(before, 2)).toBe(2);
    expect(await metric(registry, 'herald_keystone_validations_total', { purpose: 'revalidate' })).toBe(2);
    expect(ended.t!.length + ended.u!.length).toBe(0);
    await ks.revoke(t);
    await auth.revalidateNow();
    expect(ended.t!.map((f) => f.code)).toEqual(Array(5).fill('auth_failed'));
    expect(ended.u).toEqual([]);
    expect(await auth.authenticate(t)).toMatchObject({ ok: false, code: 'auth_failed' });
    expect(await metric(registry, 'herald_keystone_watched_tokens')).toBe(1);
  });

  it('a token revoked while watched ends at the first revalidation pass after it (interval 1 s)', async () => {
    const { auth, registry } = await make({ keystone_revalidate_seconds: 1 });
    const t = await fresh(alice, P);
    expect(await auth.authenticate(t)).toMatchObject({ ok: true });
    const ended: AuthFailure[] = [];
    const unwatch = auth.watch(t, (f) => ended.push(f));
    await ks.revoke(t);
    const passesBefore = await metric(registry, 'herald_keystone_validations_total', { purpose: 'revalidate' });
    await until('the revoked token to end', () => ended.length > 0);
    // At most one pass may have been in flight when the revocation happened; the next one ends it.
    expect((await metric(registry, 'herald_keystone_validations_total', { purpose: 'revalidate' })) - passesBefore).toBeLessThanOrEqual(2);
    expect(ended).toEqual([{ ok: false, code: 'auth_failed', message: expect.any(String) }]);
    unwatch();
  });

  it('Keystone frozen: new tokens get auth_unavailable after keystone_timeout; cached ones stay valid', async () => {
    const { auth, registry } = await make({ keystone_timeout: 1 });
    const cached = await fresh(alice, P);
    const fresher = await fresh(bob, Q);
    expect(await auth.authenticate(cached)).toMatchObject({ ok: true });
    ks.freeze(true);
    try {
      expect(await auth.authenticate(fresher)).toMatchObject({ ok: false, code: 'auth_unavailable' });
      expect(await auth.authenticate(cached)).toMatchObject({ ok: true, identity: { user: alice.id } });
      expect(await metric(registry, 'herald_keystone_failures_total', { kind: 'timeout' })).toBe(1);
    } finally {
      ks.freeze(false);
    }
  });

  it('Keystone stopped: auth_unavailable for new tokens, cached and watched ones kept until their validity ends; started again: the same instance validates', async () => {
    // The clock moves past the cached validity instead of the test waiting for it.
    let skew = 0;
    const { auth, registry } = await make({ keystone_cache_seconds: 600 }, () => Date.now() + skew);
    const cached = await fresh(alice, P);
    const later = await fresh(bob, Q);
    expect(await auth.authenticate(cached)).toMatchObject({ ok: true });
    const ended: AuthFailure[] = [];
    auth.watch(cached, (f) => ended.push(f));
    ks.stop();
    try {
      expect(await auth.authenticate(later)).toMatchObject({ ok: false, code: 'auth_unavailable' });
      expect(await metric(registry, 'herald_keystone_failures_total', { kind: 'unreachable' })).toBe(1);
      expect(await auth.authenticate(cached)).toMatchObject({ ok: true });
      await auth.revalidateNow();
      expect(ended).toEqual([]);
      expect(await metric(registry, 'herald_keystone_validations_total', { purpose: 'revalidate', outcome: 'unavailable' })).toBe(1);
      skew = 601_000;
      await auth.revalidateNow();
      expect(ended.map((f) => f.code)).toEqual(['auth_unavailable']);
      expect(await auth.authenticate(cached)).toMatchObject({ ok: false, code: 'auth_unavailable' });
    } finally {
      await ks.start();
    }
    expect(await auth.authenticate(later)).toMatchObject({ ok: true, identity: { user: bob.id, projects: [Q] } });
    expect(await auth.authenticate(cached)).toMatchObject({ ok: true, identity: { user: alice.id } });
    expect(logLines.join('')).toContain('answering again');
  });

  it('service credentials: one service token validates users, is renewed when Keystone drops it', async () => {
    const service = await ks.createProject('service');
    const herald = await ks.createUser('herald', 'herald-pw');
    await ks.grant(service, herald.id, 'service');
    const { auth, registry } = await make({ keystone_username: 'herald', keystone_password: 'herald-pw', keystone_project_name: 'service' });
    const a = await fresh(alice, P);
    const b = await fresh(bob, Q);
    expect(await auth.authenticate(a)).toMatchObject({ ok: true, identity: { user: alice.id, projects: [P] } });
    expect(await auth.authenticate(b)).toMatchObject({ ok: true, identity: { user: bob.id, projects: [Q] } });
    expect(await auth.authenticate('gAAAAA' + 'y'.repeat(120))).toMatchObject({ ok: false, code: 'auth_failed' });
    const revoked = await fresh(alice, P);
    await ks.revoke(revoked);
    expect(await auth.authenticate(revoked)).toMatchObject({ ok: false, code: 'auth_failed' });
    expect(await metric(registry, 'herald_keystone_service_tokens_total', { outcome: 'issued' })).toBe(1);
    // Disabling the service user revokes its tokens; enabled again, Herald fetches a new one on the 401.
    await ks.disableUser(herald.id);
    await ks.enableUser(herald.id);
    // Keystone's revocation events have one-second precision: a token issued in the same second is revoked too.
    await sleep(1100);
    const after = await auth.authenticate(await fresh(bob, Q));
    expect(after).toMatchObject({ ok: true, identity: { user: bob.id } });
    expect(await metric(registry, 'herald_keystone_service_tokens_total', { outcome: 'issued' })).toBe(2);
  });

  it('service credentials that Keystone refuses: auth_unavailable, never auth_failed for the user', async () => {
    const { auth, registry } = await make({ keystone_username: 'herald', keystone_password: 'wrong', keystone_project_name: 'service' });
    expect(await auth.authenticate(await fresh(alice, P))).toMatchObject({ ok: false, code: 'auth_unavailable' });
    expect(await metric(registry, 'herald_keystone_failures_total', { kind: 'service_auth' })).toBe(1);
  });

  it('https with keystone_cafile: validates through TLS; without the CA the certificate is refused (auth_unavailable)', async () => {
    const front = await tlsFront(ks);
    try {
      const { auth } = await make({ keystone_url: front.url, keystone_cafile: front.cafile });
      expect(await auth.authenticate(await fresh(alice, P))).toMatchObject({ ok: true, identity: { user: alice.id, projects: [P] } });
      const { auth: untrusting, registry } = await make({ keystone_url: front.url });
      expect(await untrusting.authenticate(await fresh(alice, P))).toMatchObject({ ok: false, code: 'auth_unavailable' });
      expect(await metric(registry, 'herald_keystone_failures_total', { kind: 'tls' })).toBe(1);
    } finally {
      front.close();
    }
  });

  it('JWT and Keystone together: each token goes to its own authenticator; a forged Herald JWT costs Keystone nothing', async () => {
    const secret = 'jwt-secret-of-at-least-32-bytes-length!!';
    const jwt = (await makeJwtAuthenticator({ secret, publicKeyFile: null, jwksFile: null, audience: null, issuer: null }))!;
    const { auth } = await make();
    const route = routeAuth([jwt, auth]);
    const exp = Math.floor(Date.now() / 1000) + 600;
    const herald = await signHs256(secret, { sub: 'portal-user', projects: ['p1'], exp });
    const forged = await signHs256('another-secret-of-at-least-32-bytes-long', { sub: 'portal-user', exp });
    const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const keystoneShaped = `${b64({ alg: 'ES256', typ: 'JWT' })}.${b64({ sub: alice.id, exp, openstack_methods: ['password'], openstack_project_id: P })}.${'s'.repeat(86)}`;
    const before = await ks.settledValidations();
    expect((await route(herald)).outcome).toMatchObject({ ok: true, identity: { user: 'portal-user', via: 'jwt' } });
    expect((await route(forged)).outcome).toMatchObject({ ok: false, code: 'auth_failed' });
    expect(await ks.validationsSince(before, 0)).toBe(0);
    expect((await route(await fresh(alice, P))).outcome).toMatchObject({ ok: true, identity: { user: alice.id, projects: [P], via: 'keystone' } });
    // A JWT with Keystone's claims that our keys do not verify is Keystone's to judge (here: forged, refused).
    expect((await route(keystoneShaped)).outcome).toMatchObject({ ok: false, code: 'auth_failed' });
    expect(await ks.validationsSince(before, 2)).toBe(2);
  });

  it('no token in the logs or the metrics', async () => {
    const text = logLines.join('');
    const metrics = (await Promise.all(made.map((m) => m.registry.metrics()))).join('');
    expect(logLines.length).toBeGreaterThan(0);
    for (const t of tokensSeen) {
      expect(text).not.toContain(t.slice(0, 40));
      expect(metrics).not.toContain(t.slice(0, 40));
    }
  });
});
