// Issue 7 security suite (no broker needed: the embedded gateway's HTTP ingest feeds the same
// pipeline and hub). An isolation oracle over random multi-user, multi-project traffic; token
// attacks; oversized frames and upgrade headers. HERALD_SECURITY_PUSHES (default 20,000; the
// full run, `npm run test:full`, uses 100,000).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT, importPKCS8 } from 'jose';
import { compileRuleTexts, connect, ready, sleep, token, PUSH_RULES_INI, PUSH_RULES_YAML, SECRET, type Client } from '../gateway/harness.js';
import { loadGatewayConfig } from '../../runtime/gateway/config.js';
import { startGateway, type Gateway } from '../../runtime/gateway/gateway.js';
import { makeLogger } from '../../runtime/gateway/log.js';

const PUSHES = Number(process.env.HERALD_SECURITY_PUSHES ?? 20000);
const INGEST = 'ingest-secret';
const compiled = compileRuleTexts(PUSH_RULES_YAML, PUSH_RULES_INI);

async function gateway(extra: string): Promise<Gateway> {
  const dir = mkdtempSync(join(tmpdir(), 'herald-sec-'));
  writeFileSync(join(dir, 'settings.ini'), `[WEBSOCKET]\nport = 0\ningest_token = ${INGEST}\n${extra}\n`);
  return startGateway({ config: loadGatewayConfig(join(dir, 'settings.ini'), {}), rules: compiled.rules, transforms: compiled.transforms, rulesFrom: 'test', logger: makeLogger('silent') });
}

async function ingest(g: Gateway, items: object[]): Promise<void> {
  const r = await fetch(`http://127.0.0.1:${g.port}/v1/notifications`, { method: 'POST', headers: { authorization: `Bearer ${INGEST}` }, body: JSON.stringify(items) });
  expect(r.status).toBe(200);
}

const notification = (n: number, target: string, also?: string) => ({ event_type: 'test.push', priority: 'INFO', publisher_id: 'sec', message_id: `m${n}`, timestamp: '2026-11-21 10:00:00', payload: { target, n, ...(also ? { also } : {}) } });

describe('isolation oracle', () => {
  let g: Gateway;
  beforeAll(async () => {
    g = await gateway(`jwt_secret = ${SECRET}\nmax_backpressure = 67108864`);
  });
  afterAll(async () => g?.stop());

  it(`${PUSHES} random pushes to users and projects: zero frames to anyone not addressed, none missing`, async () => {
    let rnd = 7;
    const next = (k: number) => ((rnd = (rnd * 48271) % 2147483647) % k);
    const users = Array.from({ length: 60 }, (_, i) => `u${i}`);
    const projects = Array.from({ length: 12 }, (_, i) => `p${i}`);
    const membership = new Map(users.map((u) => [u, [...new Set([projects[next(12)]!, projects[next(12)]!])]]));
    const clients = new Map<string, Client>();
    for (const u of users) clients.set(u, connect(g.port, { token: await token(u, { projects: membership.get(u) }) }));
    for (const c of clients.values()) expect((await ready(c)).type).toBe('ready');
    const allowed = new Map(users.map((u) => [u, new Set<number>()]));
    let batch: object[] = [];
    for (let n = 1; n <= PUSHES; n++) {
      const r = next(10);
      let target: string;
      let also: string | undefined;
      const addressed = new Set<string>();
      if (r < 5) {
        // Includes ids of nobody connected and look-alikes of real ids.
        target = r === 0 ? `u${next(60)}x` : `user:u${next(70)}`;
        addressed.add(target.replace(/^user:/, ''));
      } else if (r < 8) {
        const p = `p${next(14)}`;
        target = `project:${p}`;
        for (const [u, ps] of membership) if (ps.includes(p)) addressed.add(u);
      } else {
        target = `u${next(60)}`;
        const p = `p${next(12)}`;
        also = `project:${p}`;
        addressed.add(target);
        for (const [u, ps] of membership) if (ps.includes(p)) addressed.add(u);
      }
      for (const u of addressed) allowed.get(u)?.add(n);
      batch.push(notification(n, target, also));
      if (batch.length === 2000) {
        await ingest(g, batch);
        batch = [];
      }
    }
    if (batch.length) await ingest(g, batch);
    for (const [u, c] of clients) await c.waitFor((f) => f.filter((x) => x.type === 'push').length >= allowed.get(u)!.size, 60000);
    await sleep(200);
    let frames = 0;
    for (const [u, c] of clients) {
      const got = c.pushes().map((p) => (p.data!.message as { n: number }).n);
      frames += got.length;
      const strangers = got.filter((n) => !allowed.get(u)!.has(n));
      expect(strangers, `${u} got pushes not addressed to it`).toEqual([]);
      expect(got.length).toBe(allowed.get(u)!.size);
      c.ws.close();
    }
    expect(frames).toBeGreaterThan(PUSHES / 2);
  }, 300_000);
});

describe('token attacks and oversized input', () => {
  let hs: Gateway;
  let rs: Gateway;
  let rsaPrivate: string;
  let rsaPublic: string;
  beforeAll(async () => {
    hs = await gateway(`jwt_secret = ${SECRET}\nmax_frame_bytes = 1024\nauth_timeout = 1`);
    const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
    rsaPublic = pair.publicKey.export({ type: 'spki', format: 'pem' }).toString();
    rsaPrivate = pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const dir = mkdtempSync(join(tmpdir(), 'herald-key-'));
    writeFileSync(join(dir, 'key.pem'), rsaPublic);
    rs = await gateway(`jwt_public_key_file = ${join(dir, 'key.pem')}`);
  });
  afterAll(async () => {
    await hs?.stop();
    await rs?.stop();
  });

  const refused = async (c: Client, code = 4001) => {
    const closed = await c.closed;
    expect(closed.code).toBe(code);
    expect(c.frames.filter((f) => f.type !== 'error')).toEqual([]);
  };

  it('RS256 is accepted with the configured key; key confusion (HS256 signed with the public key), alg none and forged signatures are not', async () => {
    const rsToken = await new SignJWT({ projects: [] }).setProtectedHeader({ alg: 'RS256' }).setSubject('alice').setExpirationTime('1h').sign(await importPKCS8(rsaPrivate, 'RS256'));
    const ok = connect(rs.port, { token: rsToken });
    expect((await ready(ok)).type).toBe('ready');
    ok.ws.close();
    await refused(connect(rs.port, { token: await token('alice', { secret: rsaPublic }) }));
    const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    await refused(connect(rs.port, { token: `${b64({ alg: 'none' })}.${b64({ sub: 'alice', exp: Math.floor(Date.now() / 1000) + 60 })}.` }));
    const [header, , signature] = rsToken.split('.');
    const tampered = `${header}.${b64({ sub: 'mallory', exp: Math.floor(Date.now() / 1000) + 3600 })}.${signature}`;
    await refused(connect(rs.port, { token: tampered }));
  });

  it('huge tokens are refused before parsing; a frame over max_frame_bytes closes the socket with 1009', async () => {
    await refused(connect(rs.port, { token: 'e'.repeat(20000) }));
    const c = connect(hs.port, { token: await token('bob') });
    await ready(c);
    c.ws.send(JSON.stringify({ type: 'ping', pad: 'x'.repeat(5000) }));
    expect((await c.closed).code).toBe(1009);
  });

  it('garbage frames get bad_frame, the third closes with 4002; an unauthenticated socket times out with 4001', async () => {
    const c = connect(hs.port, { token: await token('carol') });
    await ready(c);
    for (let i = 0; i < 3; i++) c.ws.send('not json');
    expect((await c.closed).code).toBe(4002);
    expect(c.frames.filter((f) => f.code === 'bad_frame')).toHaveLength(3);
    const silent = connect(hs.port);
    await silent.opened;
    expect((await silent.closed).code).toBe(4001);
    expect(silent.frames).toEqual([expect.objectContaining({ type: 'error', code: 'auth_failed' })]);
  });

  it('a socket whose token expires while connected is closed with 4003', async () => {
    const c = connect(hs.port, { token: await token('dave', { exp: Math.floor(Date.now() / 1000) + 2 }) });
    expect((await ready(c)).type).toBe('ready');
    const closed = await c.closed;
    expect(closed.code).toBe(4003);
    expect(c.frames.at(-1)).toMatchObject({ type: 'error', code: 'token_expired' });
  });

  it('oversized upgrade headers are refused without harming the server', async () => {
    const answer = await new Promise<string>((resolve) => {
      const s = tcpConnect(hs.port, '127.0.0.1', () => {
        s.write(`GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nX-Big: ${'a'.repeat(200_000)}\r\n\r\n`);
      });
      let got = '';
      s.on('data', (d) => (got += d.toString()));
      s.on('error', () => resolve(got || 'reset'));
      s.on('close', () => resolve(got || 'closed'));
      setTimeout(() => {
        s.destroy();
        resolve(got || 'timeout');
      }, 3000);
    });
    expect(answer).not.toMatch(/^HTTP\/1\.1 101/);
    const health = await fetch(`http://127.0.0.1:${hs.port}/healthz`);
    expect(health.status).toBe(200);
  });
});

describe('slow consumers', () => {
  it('a client that stops reading is closed (4009 path) once its unsent data passes max_backpressure', async () => {
    const g = await gateway(`jwt_secret = ${SECRET}\nmax_backpressure = 262144`);
    // A client in another process that upgrades and then never reads a byte.
    const t = await token('stalled');
    const upgrade = `GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nAuthorization: Bearer ${t}\r\n\r\n`;
    const { spawn } = await import('node:child_process');
    const py = spawn('python3', ['-c', `import socket,sys,time\ns=socket.create_connection(('127.0.0.1',${g.port}))\ns.sendall(sys.argv[1].encode())\ntime.sleep(60)`, upgrade], { stdio: 'ignore' });
    try {
      for (let i = 0; i < 1000 && g.hub.connectionCount('stalled') === 0; i++) await sleep(20);
      expect(g.hub.connectionCount('stalled')).toBe(1);
      // Pushes as the AMQP side hands them over (from the event loop, outside any socket callback).
      const data = JSON.stringify({ message: { pad: 'x'.repeat(512 * 1024) } });
      for (let i = 0; i < 200 && g.hub.connectionCount('stalled') > 0; i++) {
        g.hub.deliver(['stalled'], [], data);
        await sleep(5);
      }
      for (let i = 0; i < 200 && g.hub.connectionCount('stalled') > 0; i++) await sleep(20);
      expect(g.hub.connectionCount('stalled')).toBe(0);
      const metrics = await (await fetch(`http://127.0.0.1:${g.port}/metrics`)).text();
      expect(metrics).toMatch(/^herald_slow_consumers_closed_total 1$/m);
    } finally {
      py.kill();
      await g.stop();
    }
  }, 60_000);
});
