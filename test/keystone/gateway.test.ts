// Issue 14 acceptance through the real `herald serve` against a real Keystone: portal tokens as
// they are, isolation by user and project, refusals, revocation while connected, one validation
// for many sockets, Keystone outages. Pushes come in over the HTTP ingest endpoint.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers.js';
import { connect, freePort, ready, sleep, waitHttp, PUSH_RULES_INI, PUSH_RULES_YAML, type Client } from '../gateway/harness.js';
import { startKeystoneWithTwoTenants, type Keystone, type KeystoneUser } from './harness.js';

const INGEST = 'ingest-secret';
let ks: Keystone;
let P: string;
let Q: string;
let alice: KeystoneUser & { token: string };
let bob: KeystoneUser & { token: string };
const heralds: ChildProcess[] = [];

interface Herald {
  port: number;
  stderr(): string;
  stop(): void;
}

/** `herald serve` with Keystone validation on (and the push rules); `extra` lines go to [WEBSOCKET]. */
async function serve(extra: string): Promise<Herald> {
  const dir = mkdtempSync(join(tmpdir(), 'herald-ks-gw-'));
  const port = await freePort();
  writeFileSync(join(dir, 'event_definitions.yaml'), PUSH_RULES_YAML);
  writeFileSync(join(dir, 'settings.ini'), `[WEBSOCKET]\nport = ${port}\ningest_token = ${INGEST}\nkeystone_url = ${ks.url}\nkeystone_timeout = 10\n${extra}\n${PUSH_RULES_INI}`);
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'herald.mjs'), 'serve', '--rules', dir, '--config', join(dir, 'settings.ini')], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, HERALD_LOG_LEVEL: 'info' } });
  heralds.push(child);
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  await waitHttp(port, '/readyz', 60, () => stderr);
  return { port, stderr: () => stderr, stop: () => void child.kill('SIGKILL') };
}

let pushN = 0;
/** A push to a user, or with `{ project }` to a project (the rules' `toproject`). */
async function push(h: Herald, to: string | { project: string }): Promise<number> {
  const n = ++pushN;
  const address = typeof to === 'string' ? { target: to } : { project: to.project };
  const body = { event_type: 'test.push', priority: 'INFO', publisher_id: 'ks', message_id: `ks-${n}`, timestamp: '2026-12-02 10:00:00', payload: { ...address, n } };
  const r = await fetch(`http://127.0.0.1:${h.port}/v1/notifications`, { method: 'POST', headers: { authorization: `Bearer ${INGEST}` }, body: JSON.stringify(body) });
  expect(r.status).toBe(200);
  return n;
}

const numbers = (c: Client) => c.pushes().map((p) => (p.data!.message as { n: number }).n);

/** A metric's value summed over the series whose label text includes every `labels` pair. */
async function metric(h: Herald, name: string, labels: Record<string, string> = {}): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${h.port}/metrics`)).text();
  let sum = 0;
  for (const line of text.split('\n')) {
    const m = /^([a-z_]+)(\{[^}]*\})? ([0-9.e+-]+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    if (Object.entries(labels).every(([k, v]) => (m[2] ?? '').includes(`${k}="${v}"`))) sum += Number(m[3]);
  }
  return sum;
}

async function refusal(c: Client): Promise<{ frame: string | undefined; code: number }> {
  const closed = await c.closed;
  return { frame: c.frames.find((f) => f.type === 'error')?.code, code: closed.code };
}

beforeAll(async () => {
  ({ ks, P, Q, alice, bob } = await startKeystoneWithTwoTenants());
});

afterAll(() => {
  for (const h of heralds) h.kill('SIGKILL');
  ks?.down();
});

describe('herald serve with Keystone tokens', () => {
  let h: Herald;
  beforeAll(async () => {
    h = await serve('keystone_revalidate_seconds = 1');
  });
  // Its revalidations (every second) must not reach Keystone's log while test 3 counts requests.
  afterAll(() => h.stop());

  it('1: alice (member of P) and bob (member of Q): a push to alice reaches only alice; a push to project P only P-scoped connections', async () => {
    const aliceP = connect(h.port, { token: alice.token });
    const aliceUnscoped = connect(h.port, { token: await ks.token(alice.name, alice.password) });
    const bobQ = connect(h.port, { token: bob.token });
    const bobHeader = new WebSocket(`ws://127.0.0.1:${h.port}/ws`, 'herald.v1', { headers: { 'x-auth-token': bob.token } });
    const headerFrames: string[] = [];
    bobHeader.on('message', (m) => headerFrames.push(m.toString()));
    for (const c of [aliceP, aliceUnscoped, bobQ]) expect((await ready(c)).type).toBe('ready');
    expect((await ready(aliceP)).user).toBe(alice.id);
    expect((await ready(bobQ)).user).toBe(bob.id);
    const toAlice = await push(h, alice.id);
    const toP = await push(h, { project: P });
    const toBob = await push(h, bob.id);
    await aliceP.waitFor(() => numbers(aliceP).length === 2);
    await bobQ.waitFor(() => numbers(bobQ).length === 1);
    await aliceUnscoped.waitFor(() => numbers(aliceUnscoped).length === 1);
    await sleep(300);
    expect(numbers(aliceP)).toEqual([toAlice, toP]);
    expect(numbers(aliceUnscoped)).toEqual([toAlice]);
    expect(numbers(bobQ)).toEqual([toBob]);
    // X-Auth-Token on the upgrade (non-browser clients) is the same credential.
    expect(headerFrames.map((f) => JSON.parse(f).type)).toContain('ready');
    expect(headerFrames.filter((f) => JSON.parse(f).type === 'push').map((f) => JSON.parse(f).data.message.n)).toEqual([toBob]);
    for (const c of [aliceP, aliceUnscoped, bobQ]) c.ws.close();
    bobHeader.close();
  });

  it('2: garbage, a deleted user and a revoked token get an error frame and 4001; a token revoked while connected closes within keystone_revalidate_seconds', async () => {
    const carol = await ks.member('carol', P);
    const erin = await ks.member('erin', P);
    await ks.deleteUser(carol.id);
    await ks.revoke(erin.token);
    for (const t of ['gAAAAA' + 'z'.repeat(150), 'not a token at all', carol.token, erin.token]) {
      expect(await refusal(connect(h.port, { token: t }))).toEqual({ frame: 'auth_failed', code: 4001 });
    }
    const held = await ks.token(alice.name, alice.password, { projectId: P });
    const c = connect(h.port, { token: held });
    expect((await ready(c)).type).toBe('ready');
    const revokedBefore = await metric(h, 'herald_keystone_revoked_total');
    await ks.revoke(held);
    const passesBefore = await metric(h, 'herald_keystone_validations_total', { purpose: 'revalidate' });
    expect(await refusal(c)).toEqual({ frame: 'auth_failed', code: 4001 });
    // Closed by the first revalidation pass after the revocation (one more may have been in flight).
    expect((await metric(h, 'herald_keystone_validations_total', { purpose: 'revalidate' })) - passesBefore).toBeLessThanOrEqual(2);
    expect((await metric(h, 'herald_keystone_revoked_total')) - revokedBefore).toBe(1);
    expect(h.stderr()).not.toContain(held.slice(0, 40));
  });

  it('4: Keystone stopped: new sockets get auth_unavailable, open ones keep receiving pushes; Keystone back: new sockets succeed, same Herald', async () => {
    const open = connect(h.port, { token: bob.token });
    expect((await ready(open)).type).toBe('ready');
    const waiting = await ks.token(alice.name, alice.password, { projectId: P });
    ks.stop();
    try {
      const refused = connect(h.port, { token: waiting });
      expect(await refusal(refused)).toEqual({ frame: 'auth_unavailable', code: 1013 });
      // Revalidation passes fail meanwhile (interval 1 s); the socket lives on its cached validity.
      const passes = await metric(h, 'herald_keystone_validations_total', { purpose: 'revalidate', outcome: 'unavailable' });
      await sleep(2500);
      expect(await metric(h, 'herald_keystone_validations_total', { purpose: 'revalidate', outcome: 'unavailable' })).toBeGreaterThan(passes);
      const n = await push(h, bob.id);
      await open.waitFor(() => numbers(open).includes(n));
    } finally {
      await ks.start();
    }
    const after = connect(h.port, { token: waiting });
    expect(await ready(after)).toMatchObject({ type: 'ready', user: alice.id });
    const n = await push(h, { project: P });
    await after.waitFor(() => numbers(after).includes(n));
    expect(open.ws.readyState).toBe(WebSocket.OPEN);
    open.ws.close();
    after.ws.close();
  });
});

describe('one validation for many sockets', () => {
  it('3: 1,000 connections with one token make one Keystone validation (Herald metric and Keystone log)', async () => {
    const h = await serve('keystone_revalidate_seconds = 3600\nmax_connections_per_user = 2000');
    const t = await ks.token(bob.name, bob.password, { projectId: Q });
    const before = await ks.settledValidations();
    const clients: Client[] = [];
    for (let i = 0; i < 1000; i += 100) {
      const batch = Array.from({ length: 100 }, () => connect(h.port, { token: t }));
      for (const c of batch) expect((await ready(c)).type).toBe('ready');
      clients.push(...batch);
    }
    expect(await metric(h, 'herald_keystone_validations_total', { purpose: 'connect' })).toBe(1);
    expect(await metric(h, 'herald_keystone_validations_total')).toBe(1);
    expect(await ks.validationsSince(before, 1)).toBe(1);
    expect(await metric(h, 'herald_keystone_cache_hits_total')).toBe(999);
    const n = await push(h, { project: Q });
    for (const c of clients) await c.waitFor(() => numbers(c).includes(n));
    for (const c of clients) c.ws.close();
  });
});
