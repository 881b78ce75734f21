// The rough edges of a new user's first hour (issue 12): start-up errors are one coded line and
// exit 1; HTTP ingest gives the broker path's verdicts with codes, counted; sockets closed for
// backpressure are really gone; frame limits, subprotocol and bad frames; honest metrics.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { ROOT, SAMPLES } from '../helpers.js';
import { compileRuleTexts, connect, freePort, ready, sleep, token, PUSH_RULES_INI, PUSH_RULES_YAML, SECRET } from './harness.js';
import { loadGatewayConfig } from '../../runtime/gateway/config.js';
import { startGateway, type Gateway } from '../../runtime/gateway/gateway.js';
import { makeLogger } from '../../runtime/gateway/log.js';
import { rules as generatedRules } from '../../generated/decoders.js';
import { transforms as generatedTransforms } from '../../generated/transformers.js';

const SAMPLE = join(SAMPLES, 'seed', 'volume.create.end.json');
const compiled = compileRuleTexts(PUSH_RULES_YAML, PUSH_RULES_INI);

function fileWith(name: string, text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'herald-first-')), name);
  writeFileSync(path, text);
  return path;
}

/** `herald serve --config FILE` on PORT: its exit code and stderr. */
function serve(config: string, port: number): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'herald.mjs'), 'serve', '--config', config], { env: { ...process.env, HERALD_WEBSOCKET__PORT: String(port) }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const killer = setTimeout(() => child.kill('SIGKILL'), 120_000);
  return new Promise((resolve) => child.once('exit', (code) => (clearTimeout(killer), resolve({ code, stderr }))));
}

/** Exit 1 with exactly one line on stderr, no stack trace, matching `line`. */
async function refusesToStart(config: string, port: number, line: RegExp): Promise<string> {
  const r = await serve(config, port);
  const lines = r.stderr.split('\n').filter((l) => l !== '');
  expect(r.stderr).not.toMatch(/\n\s+at /);
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(line);
  expect(r.code).toBe(1);
  return lines[0]!;
}

describe.concurrent('herald serve refuses to start with one line and exit 1', () => {
  it('on a port another program holds', async () => {
    const port = await freePort();
    const other: Server = createServer();
    await new Promise<void>((r) => other.listen(port, '127.0.0.1', r));
    try {
      const line = await refusesToStart(fileWith('settings.ini', ''), port, new RegExp(`^127\\.0\\.0\\.1:${port}: error HE701: `));
      expect(line).toMatch(/HERALD_WEBSOCKET__PORT/);
      expect(line).toMatch(/\[WEBSOCKET\] port/);
    } finally {
      other.close();
    }
  }, 150_000);

  it('on a port a running Herald holds (uWS would otherwise share it through SO_REUSEPORT)', async () => {
    const port = await freePort();
    const first = await startGateway({ config: loadGatewayConfig(null, { HERALD_WEBSOCKET__PORT: String(port) }), rules: generatedRules, transforms: generatedTransforms, rulesFrom: 'generated/', logger: makeLogger('silent') });
    try {
      await refusesToStart(fileWith('settings.ini', ''), port, new RegExp(`^127\\.0\\.0\\.1:${port}: error HE701: .*HERALD_WEBSOCKET__PORT`));
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    } finally {
      await first.stop();
    }
  }, 150_000);

  it('on a transport_url that is not one, pointing at its value', async () => {
    const config = fileWith('settings.ini', '[MESSAGE_COLLECTOR]\ntransport_url = http://broker:5672/\n');
    await refusesToStart(config, await freePort(), new RegExp(`^${config.replace(/[.]/g, '\\.')}:2:17: error HE702: \\[MESSAGE_COLLECTOR\\] transport_url: scheme 'http://' is not a known transport \\(known: rabbit://`));
  }, 150_000);

  it('on a key file that cannot be read', async () => {
    const config = fileWith('settings.ini', '[WEBSOCKET]\njwt_public_key_file = /nonexistent/herald-key.pem\n');
    await refusesToStart(config, await freePort(), /^\/nonexistent\/herald-key\.pem: error HE001: cannot read the key file/);
  }, 150_000);

  it('on a JWKS file that is not JSON, at its line and column', async () => {
    const jwks = fileWith('jwks.json', '{"keys": [\n  {"kty": "RSA",}\n]}\n');
    const config = fileWith('settings.ini', `[WEBSOCKET]\njwt_jwks_file = ${jwks}\n`);
    await refusesToStart(config, await freePort(), new RegExp(`^${jwks.replace(/[.]/g, '\\.')}:2:17: error HE703: not JSON`));
  }, 150_000);

  it('on a public key file that holds no key', async () => {
    const pem = fileWith('key.pem', '-----BEGIN PUBLIC KEY-----\nnot base64 at all\n-----END PUBLIC KEY-----\n');
    const config = fileWith('settings.ini', `[WEBSOCKET]\njwt_public_key_file = ${pem}\n`);
    await refusesToStart(config, await freePort(), new RegExp(`^${pem.replace(/[.]/g, '\\.')}: error HE703: not a usable PEM public key`));
  }, 150_000);

  it('on rules that do not match the configuration', async () => {
    const config = fileWith('settings.ini', `[NOTIFY_MANAGER]\ntransformer = [{'event_type': 'x.y', 'event_define': {'event_type': 'websocket.send', 'traits': {'toid': 'u'}}}]\n`);
    await refusesToStart(config, await freePort(), /error HE704: \[NOTIFY_MANAGER\] transformer differs from the compiled one/);
  }, 150_000);
});

describe('an embedded gateway', () => {
  let g: Gateway;
  const base = () => `http://127.0.0.1:${g.port}`;
  const post = (body: Buffer | string) => fetch(`${base()}/v1/notifications`, { method: 'POST', body });
  const metrics = async () => (await fetch(`${base()}/metrics`)).text();

  beforeAll(async () => {
    const config = loadGatewayConfig(fileWith('settings.ini', `[WEBSOCKET]\nport = 0\njwt_secret = ${SECRET}\n`));
    g = await startGateway({ config: { ...config, embedded: true }, rules: generatedRules, transforms: generatedTransforms, rulesFrom: 'generated/', logger: makeLogger('silent') });
  });
  afterAll(() => g.stop());

  it('refuses a body that is not UTF-8 with the code the broker path dead-letters it with, counted', async () => {
    const r = await post(Buffer.concat([Buffer.from('{"event_type": "test.push", "payload": {"x": "'), Buffer.from([0xff, 0xfe]), Buffer.from('"}}')]));
    expect(r.status).toBe(400);
    expect(await r.json()).toEqual({ error: 'body is not UTF-8', code: 'not_utf8' });
    expect(await metrics()).toMatch(/^herald_notifications_dead_lettered_total\{source="http",reason="not_utf8"\} 1$/m);
  });

  it('says a notification has no event_type, counted by code', async () => {
    const r = await post(JSON.stringify({ priority: 'INFO', payload: {}, message_id: 'no-type-1', timestamp: '2026-01-01 00:00:00' }));
    const { results } = (await r.json()) as { results: Array<{ error: string; code: string }> };
    expect(results[0]!.code).toBe('no_event_type');
    expect(results[0]!.error).toMatch(/has no event_type/);
    expect(await metrics()).toMatch(/^herald_notifications_dead_lettered_total\{source="http",reason="no_event_type"\} 1$/m);
  });

  it('answers a body over 16 MiB with 413, counted', async () => {
    const r = await post(Buffer.alloc(16 * 1024 * 1024 + 10, 0x20));
    expect(r.status).toBe(413);
    expect(await metrics()).toMatch(/^herald_notifications_dead_lettered_total\{source="http",reason="too_big"\} 1$/m);
  }, 60_000);

  it('names its metrics once (no herald_process_process_) and times receipt to sockets, not the sample\'s old timestamp', async () => {
    const c = connect(g.port, { token: await token('u1') });
    await ready(c);
    expect((await (await post(readFileSync(SAMPLE))).json()) as unknown).toMatchObject({ results: [{ pushes: 1 }] });
    await c.waitFor((f) => f.some((x) => x.type === 'push'));
    const text = await metrics();
    expect(text).not.toMatch(/herald_process_process_/);
    expect(text).toMatch(/^herald_process_cpu_seconds_total /m);
    expect(text).not.toMatch(/herald_end_to_end_seconds/);
    expect(text).toMatch(/^herald_receipt_to_sockets_seconds_count 1$/m);
    // The sample was published in 2026-11; measured from its timestamp this would be days.
    expect(Number(/^herald_receipt_to_sockets_seconds_sum (\S+)$/m.exec(text)![1])).toBeLessThan(3600);
    c.ws.close();
  });

  it('closes a socket that sends a 10 MB frame with 1009', async () => {
    const c = connect(g.port, { token: await token('big') });
    await ready(c);
    c.ws.send('x'.repeat(10 * 1024 * 1024));
    expect((await c.closed).code).toBe(1009);
  }, 60_000);

  it('speaks herald.v1: echoes it, refuses an offer without it', async () => {
    const ok = new WebSocket(`ws://127.0.0.1:${g.port}/ws`, ['other', 'herald.v1']);
    await new Promise((r) => ok.once('open', r));
    expect(ok.protocol).toBe('herald.v1');
    ok.close();
    const bad = new WebSocket(`ws://127.0.0.1:${g.port}/ws`, 'chat');
    const status = await new Promise<number>((resolve) => {
      bad.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      bad.once('open', () => resolve(101));
    });
    bad.on('error', () => undefined);
    expect(status).toBe(400);
  });

  it('answers a bad frame after authentication with an error for that state', async () => {
    const c = connect(g.port, { token: await token('chatty') });
    await ready(c);
    c.ws.send('{"type":"subscribe"}');
    await c.waitFor((f) => f.some((x) => x.type === 'error'));
    expect(c.frames.find((x) => x.type === 'error')).toEqual({ type: 'error', code: 'bad_frame', message: 'expected {"type":"ping"} or a fresh {"type":"auth","token":…}' });
    c.ws.send('{"type":"auth","token":"x"}');
    await c.waitFor((f) => f.filter((x) => x.type === 'error').length === 2);
    // An auth frame on an open socket is a fresh credential (it re-scopes the socket): a bad one closes it.
    expect(c.frames.filter((x) => x.type === 'error')[1]).toMatchObject({ code: 'auth_failed' });
    expect((await c.closed).code).toBe(4001);
  });
});

/** This process's TCP sockets on the server side of `port` (LISTEN excluded). */
function serverSockets(port: number): string[] {
  const out = execFileSync('ss', ['-tnpH', 'state', 'all', `( sport = :${port} )`], { encoding: 'utf8' });
  return out.split('\n').filter((l) => l.includes(`pid=${process.pid},`) && !l.startsWith('LISTEN'));
}

describe('a socket closed for backpressure', () => {
  it('is gone from the server, not left ESTABLISHED behind MBs a client never reads', async () => {
    const config = loadGatewayConfig(fileWith('settings.ini', `[WEBSOCKET]\nport = 0\njwt_secret = ${SECRET}\nmax_backpressure = 262144\n`));
    const g = await startGateway({ config, rules: compiled.rules, transforms: compiled.transforms, rulesFrom: 'test', logger: makeLogger('silent') });
    const t = await token('stalled');
    const upgrade = `GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nAuthorization: Bearer ${t}\r\n\r\n`;
    // A client in another process that upgrades and then never reads a byte.
    const py = spawn('python3', ['-c', `import socket,sys,time\ns=socket.create_connection(('127.0.0.1',${g.port}))\ns.sendall(sys.argv[1].encode())\ntime.sleep(120)`, upgrade], { stdio: 'ignore' });
    try {
      for (let i = 0; i < 500 && g.hub.connectionCount('stalled') === 0; i++) await sleep(20);
      expect(g.hub.connectionCount('stalled')).toBe(1);
      expect(serverSockets(g.port)).toHaveLength(1);
      const data = JSON.stringify({ message: { pad: 'x'.repeat(512 * 1024) } });
      for (let i = 0; i < 200 && g.hub.connectionCount('stalled') > 0; i++) {
        g.hub.deliver({ id: null, users: ['stalled'], projects: [], data });
        await sleep(5);
      }
      expect(g.hub.connectionCount('stalled')).toBe(0);
      // The grace period is 2 s; without it uWS keeps an ended socket ESTABLISHED 12-15 s (then
      // FIN-WAIT-1 for minutes), so 8 s tells the two apart.
      for (let i = 0; i < 80 && serverSockets(g.port).length > 0; i++) await sleep(100);
      expect(serverSockets(g.port)).toEqual([]);
      expect(await (await fetch(`http://127.0.0.1:${g.port}/metrics`)).text()).toMatch(/^herald_slow_consumers_closed_total 1$/m);
    } finally {
      py.kill();
      await g.stop();
    }
  }, 90_000);
});

describe('pushes from HTTP ingest to a client that never reads', () => {
  it('reach it as an unbroken prefix, and then it is closed and counted: nothing lost silently', async () => {
    const rules = compileRuleTexts(
      `- event_type: test.push\n  traits:\n    target:\n      fields: payload.target\n    n:\n      type: int\n      fields: payload.n\n    pad:\n      fields: payload.pad\n`,
      `[NOTIFY_MANAGER]\ntransformer = [\n    {'event_type': 'test.push', 'event_define': {'event_type': 'websocket.send', 'traits': {'toid': '@traits.target', 'message': {'n': '@traits.n', 'pad': '@traits.pad'}}}},\n  ]\n`,
    );
    const config = loadGatewayConfig(fileWith('settings.ini', `[WEBSOCKET]\nport = 0\njwt_secret = ${SECRET}\nmax_backpressure = 262144\ningest_token = t\n`));
    const g = await startGateway({ config, rules: rules.rules, transforms: rules.transforms, rulesFrom: 'test', logger: makeLogger('silent') });
    const t = await token('stalled');
    const upgrade = `GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nAuthorization: Bearer ${t}\r\n\r\n`;
    // Stalls until told (a line on stdin), then reads everything there is and prints the seqs it got.
    const script = [
      'import socket,sys,re,json',
      `s=socket.create_connection(('127.0.0.1',${g.port}))`,
      's.sendall(sys.argv[1].encode())',
      'sys.stdin.readline()',
      's.settimeout(15)',
      'got=b""',
      'eof=False',
      'try:',
      '  while True:',
      '    d=s.recv(1<<20)',
      '    if not d:',
      '      eof=True',
      '      break',
      '    got+=d',
      'except ConnectionResetError:',
      '  eof=True',
      'except socket.timeout:',
      '  pass',
      'print(json.dumps({"seqs":[int(x) for x in re.findall(rb\'"type":"push","seq":(\\d+)\',got)],"eof":eof}),flush=True)',
    ].join('\n');
    const py = spawn('python3', ['-c', script, upgrade], { stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    py.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    try {
      for (let i = 0; i < 1000 && g.hub.connectionCount('stalled') === 0; i++) await sleep(20);
      expect(g.hub.connectionCount('stalled')).toBe(1);
      const pad = 'x'.repeat(255);
      // Arrays of 500 pushes per POST until the stalled socket is closed (bounded: 200 POSTs).
      for (let i = 0; i < 200 && g.hub.connectionCount('stalled') > 0; i++) {
        const body = JSON.stringify(Array.from({ length: 500 }, (_, k) => ({ event_type: 'test.push', priority: 'INFO', publisher_id: 'x', message_id: `m${i}-${k}`, timestamp: '2026-01-01 00:00:00', payload: { target: 'stalled', n: i * 500 + k, pad } })));
        expect((await fetch(`http://127.0.0.1:${g.port}/v1/notifications`, { method: 'POST', headers: { authorization: 'Bearer t' }, body })).status).toBe(200);
      }
      expect(g.hub.connectionCount('stalled')).toBe(0);
      expect(await (await fetch(`http://127.0.0.1:${g.port}/metrics`)).text()).toMatch(/^herald_slow_consumers_closed_total 1$/m);
      py.stdin!.write('read\n');
      await new Promise((r) => py.once('exit', r));
      const { seqs, eof } = JSON.parse(out) as { seqs: number[]; eof: boolean };
      expect(seqs.length).toBeGreaterThan(0);
      expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, k) => k + 1));
      expect(eof).toBe(true);
    } finally {
      py.kill();
      await g.stop();
    }
  }, 150_000);
});
