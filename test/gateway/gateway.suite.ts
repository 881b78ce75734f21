// Issue 5 acceptance, against a real RabbitMQ and the real oslo.messaging Notifier: addressing,
// order and seq, resume and reset, token and origin refusals, bad input dead-lettered and
// counted, broker restart, SIGTERM under load. One broker for the file; tests run in order.
import { describe, expect, it } from 'vitest';
import { readFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync, deflateSync } from 'node:zlib';
import amqplib from 'amqplib';
import { SAMPLES, ROOT } from '../helpers.js';
import { compileRuleTexts, connect, freePort, gatewayWith, osloEnvelope, osloPublish, rawPublisher, ready, sleep, token, waitHttp, PUSH_RULES_INI, PUSH_RULES_YAML, SECRET, type Client, type Rabbit } from './harness.js';
import type { Gateway } from '../../runtime/gateway/gateway.js';

const SEED = join(SAMPLES, 'seed');
const seed = compileRuleTexts(readFileSync(join(SEED, 'event_definitions.yaml'), 'utf8'), readFileSync(join(SEED, 'settings.ini'), 'utf8'));

const bulk = compileRuleTexts(PUSH_RULES_YAML, PUSH_RULES_INI);

let rabbit: Rabbit;
const queues: string[] = [];

function settings(extra: { collector?: string; websocket?: string; queue?: string } = {}): string {
  const queue = extra.queue ?? `herald-${queues.length}`;
  queues.push(queue);
  return `[MESSAGE_COLLECTOR]
transport_url = ${rabbit.url}
exchanges = ['openstack', 'nova', 'herald-test']
queue = ${queue}
${extra.collector ?? ''}
[WEBSOCKET]
port = 0
jwt_secret = ${SECRET}
${extra.websocket ?? ''}
`;
}

const consuming = (g: Gateway): Promise<void> => waitHttp(g.port, '/readyz', 30);

/** A push for `target` (and `also`: a trait is a scalar, so a second address is a second trait). */
const testPush = (target: unknown, n: number, project?: string) => osloEnvelope({ event_type: 'test.push', payload: { target, n, ...(project ? { project } : {}) } });

/** broker.test.ts starts one RabbitMQ for every suite that needs it (they restart it, so in turn). */
export function useRabbit(r: Rabbit): void {
  rabbit = r;
}

describe('gateway against a real RabbitMQ', () => {
  it("1: the seed's volume.create.end from the real Notifier reaches both of U's connections, not V's", async () => {
    const g = await gatewayWith(settings(), seed);
    try {
      await consuming(g);
      const u1 = connect(g.port, { token: await token('u1') });
      const u2 = connect(g.port, { bearer: await token('u1') });
      const v = connect(g.port, { token: await token('v') });
      for (const c of [u1, u2, v]) expect((await ready(c)).type).toBe('ready');
      const inner = JSON.parse(JSON.parse(readFileSync(join(SEED, 'volume.create.end.json'), 'utf8'))['oslo.message']);
      osloPublish(rabbit.url, [{ event_type: inner.event_type, payload: inner.payload, priority: 'INFO', publisher_id: inner.publisher_id, context: { user_id: 'u1', project_id: 'p-42', request_id: 'req-7d3e' } }], ['--service', 'cinder']);
      const expected = '{"type":"push","seq":1,"data":{"message_event":"STATES","message_type":"volume","message":{"resource_id":"v9","name":"data","state":"created","option":"reload"}}}';
      for (const c of [u1, u2]) {
        await c.waitFor((f) => f.some((x) => x.type === 'push'));
        expect(JSON.stringify(c.pushes()[0])).toBe(expected);
      }
      await sleep(300);
      expect(u1.pushes()).toHaveLength(1);
      expect(u2.pushes()).toHaveLength(1);
      expect(v.pushes()).toHaveLength(0);
      for (const c of [u1, u2, v]) c.ws.close();
    } finally {
      await g.stop();
    }
  });

  it('2: 10,000 notifications for 100 users and 20 projects: each connection gets exactly its pushes, in order, seq contiguous', async () => {
    const g = await gatewayWith(settings({ collector: 'prefetch = 512' }), bulk);
    const pub = await rawPublisher(rabbit.port);
    try {
      await consuming(g);
      const users = Array.from({ length: 100 }, (_, i) => `user-${i}`);
      const projectOf = (i: number) => `proj-${i % 20}`;
      // Users 0-9 have two tabs; everyone else one.
      const clients = new Map<string, Client[]>();
      for (let i = 0; i < users.length; i++) {
        const t = await token(users[i]!, { projects: [projectOf(i)] });
        clients.set(users[i]!, Array.from({ length: i < 10 ? 2 : 1 }, () => connect(g.port, { token: t })));
      }
      for (const cs of clients.values()) for (const c of cs) expect((await ready(c)).type).toBe('ready');
      const expected = new Map<string, number[]>(users.map((u) => [u, []]));
      let rnd = 42;
      const next = () => (rnd = (rnd * 1103515245 + 12345) % 2 ** 31);
      for (let n = 1; n <= 10000; n++) {
        const r = next() % 10;
        let target: unknown;
        if (r < 6) {
          const u = users[next() % 100]!;
          target = u;
          expected.get(u)!.push(n);
        } else if (r < 9) {
          const p = next() % 20;
          target = null;
          pub.send('herald-test', 'notifications.info', testPush(target, n, `proj-${p}`));
          users.forEach((u, i) => i % 20 === p && expected.get(u)!.push(n));
          continue;
        } else {
          const a = users[next() % 100]!;
          const p = next() % 20;
          target = a;
          users.forEach((u, i) => (u === a || i % 20 === p) && expected.get(u)!.push(n));
          pub.send('herald-test', 'notifications.info', testPush(target, n, `proj-${p}`));
          continue;
        }
        pub.send('herald-test', 'notifications.info', testPush(target, n));
      }
      await pub.confirm();
      for (const [u, cs] of clients) {
        for (const c of cs) {
          await c.waitFor((f) => f.filter((x) => x.type === 'push').length >= expected.get(u)!.length, 60000).catch((e: Error) => {
            const got = new Set(c.pushes().map((p) => (p.data!.message as { n: number }).n));
            throw new Error(`${u}: missing ${JSON.stringify(expected.get(u)!.filter((n) => !got.has(n)).slice(0, 10))}; ${e.message.slice(0, 200)}`);
          });
        }
      }
      await sleep(300);
      let total = 0;
      for (const [u, cs] of clients) {
        for (const c of cs) {
          const pushes = c.pushes();
          total += pushes.length;
          expect(pushes.map((p) => (p.data!.message as { n: number }).n)).toEqual(expected.get(u));
          expect(pushes.map((p) => p.seq)).toEqual(pushes.map((_, i) => i + 1));
        }
      }
      expect(total).toBeGreaterThan(10000);
      for (const cs of clients.values()) for (const c of cs) c.ws.close();
    } finally {
      await pub.close();
      await g.stop();
    }
  }, 240_000);

  it('3: a resume within the buffer replays the missed pushes in order; beyond it the client gets reset', async () => {
    const g = await gatewayWith(settings({ websocket: 'replay_size = 5' }), bulk);
    const pub = await rawPublisher(rabbit.port);
    try {
      await consuming(g);
      const t = await token('resumer');
      const first = connect(g.port, { token: t });
      const hello = await ready(first);
      for (let n = 1; n <= 2; n++) pub.send('herald-test', 'notifications.info', testPush('resumer', n));
      await first.waitFor((f) => f.filter((x) => x.type === 'push').length === 2);
      first.ws.close();
      await first.closed;
      // Missed while away: 3 pushes (within replay_size 5).
      for (let n = 3; n <= 5; n++) pub.send('herald-test', 'notifications.info', testPush('resumer', n));
      await pub.confirm();
      await sleep(500);
      const back = connect(g.port, { token: t, resume: { epoch: hello.epoch!, seq: 2 } });
      await back.waitFor((f) => f.some((x) => x.type === 'ready'));
      expect(back.frames.map((f) => f.type)).toEqual(['push', 'push', 'push', 'ready']);
      expect(back.pushes().map((p) => p.seq)).toEqual([3, 4, 5]);
      expect(back.frames[3]).toMatchObject({ type: 'ready', resumed: true, seq: 5 });
      back.ws.close();
      await back.closed;
      // Missed while away: 7 pushes, more than replay_size.
      for (let n = 6; n <= 12; n++) pub.send('herald-test', 'notifications.info', testPush('resumer', n));
      await pub.confirm();
      await sleep(500);
      const late = connect(g.port, { token: t, resume: { epoch: hello.epoch!, seq: 5 } });
      await late.waitFor((f) => f.some((x) => x.type === 'ready'));
      expect(late.frames.map((f) => f.type)).toEqual(['reset', 'ready']);
      expect(late.frames[1]).toMatchObject({ resumed: false, seq: 12 });
      // A different epoch (another node or a restart) is a reset too.
      const other = connect(g.port, { token: t, resume: { epoch: 'not-this-one', seq: 1 } });
      await other.waitFor((f) => f.some((x) => x.type === 'ready'));
      expect(other.frames[0]!.type).toBe('reset');
      late.ws.close();
      other.ws.close();
    } finally {
      await pub.close();
      await g.stop();
    }
  });

  it('4: expired, forged, alg none and wrong-audience tokens, a token in the query string and a refused origin are rejected; nothing is pushed to them', async () => {
    const g = await gatewayWith(settings({ websocket: "jwt_audience = portal\nallowed_origins = ['https://portal.example']" }), bulk);
    const pub = await rawPublisher(rabbit.port);
    try {
      await consuming(g);
      const none = (sub: string) => {
        const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
        return `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub, aud: 'portal', exp: Math.floor(Date.now() / 1000) + 3600 })}.`;
      };
      const cases: Array<[string, Client, number, string]> = [
        ['expired', connect(g.port, { token: await token('victim', { audience: 'portal', exp: Math.floor(Date.now() / 1000) - 60 }) }), 4003, 'token_expired'],
        ['forged', connect(g.port, { token: await token('victim', { audience: 'portal', secret: 'another-secret-another-secret-!!' }) }), 4001, 'auth_failed'],
        ['alg none', connect(g.port, { token: none('victim') }), 4001, 'auth_failed'],
        ['wrong audience', connect(g.port, { token: await token('victim', { audience: 'someone-else' }) }), 4001, 'auth_failed'],
        ['bearer forged', connect(g.port, { bearer: await token('victim', { audience: 'portal', secret: 'another-secret-another-secret-!!' }) }), 4001, 'auth_failed'],
      ];
      for (const [what, c, code, errorCode] of cases) {
        const closed = await c.closed;
        expect(closed.code, what).toBe(code);
        expect(c.frames, what).toEqual([expect.objectContaining({ type: 'error', code: errorCode })]);
      }
      const inQuery = connect(g.port, { query: `?token=${await token('victim', { audience: 'portal' })}` });
      await expect(inQuery.opened).rejects.toThrow('HTTP 400');
      const badOrigin = connect(g.port, { token: await token('victim', { audience: 'portal' }), origin: 'https://evil.example' });
      await expect(badOrigin.opened).rejects.toThrow('HTTP 403');
      // The allowed origin with a good token works, and only it gets the push.
      const good = connect(g.port, { token: await token('victim', { audience: 'portal' }), origin: 'https://portal.example' });
      expect((await ready(good)).type).toBe('ready');
      pub.send('herald-test', 'notifications.info', testPush('victim', 1));
      await good.waitFor((f) => f.some((x) => x.type === 'push'));
      for (const [, c] of cases) expect(c.pushes()).toEqual([]);
      const metrics = await (await fetch(`http://127.0.0.1:${g.port}/metrics`)).text();
      expect(metrics).toMatch(/herald_auth_failures_total\{code="token_in_query"\} 1/);
      expect(metrics).toMatch(/herald_auth_failures_total\{code="origin_refused"\} 1/);
      expect(metrics).toMatch(/herald_auth_failures_total\{code="auth_failed"\} 4/);
      good.ws.close();
    } finally {
      await pub.close();
      await g.stop();
    }
  });

  it('5: garbage, wrong envelope versions, unknown priorities, 10 MB and deeply nested bodies are dead-lettered or dropped, counted, and the gateway keeps serving', async () => {
    const g = await gatewayWith(settings(), bulk);
    const pub = await rawPublisher(rabbit.port);
    const conn = await amqplib.connect({ hostname: '127.0.0.1', port: rabbit.port });
    const ch = await conn.createChannel();
    try {
      await consuming(g);
      await ch.purgeQueue('herald.dead');
      const c = connect(g.port, { token: await token('survivor') });
      await ready(c);
      const inner = (o: object) => JSON.stringify(o);
      const bad: Array<[Buffer, Record<string, unknown>]> = [
        [Buffer.from('\x00\x01 not json at all'), {}],
        [Buffer.from(JSON.stringify({ 'oslo.version': '3.0', 'oslo.message': inner({ event_type: 'test.push', priority: 'INFO', payload: {} }) })), {}],
        [Buffer.from('x'.repeat(10 * 1024 * 1024)), {}],
        [Buffer.from('['.repeat(100000) + ']'.repeat(100000)), {}],
        [Buffer.from(JSON.stringify({ 'oslo.version': '2.0', 'oslo.message': '{'.repeat(5000) })), {}],
        [gzipSync('{"a": 1}'), { compression: 'application/x-gzip' }],
        [deflateSync('x'), { compression: 'application/x-bz2' }],
        // The same two bodies test/gateway/ingest.test.ts posts over HTTP: the same codes there.
        [Buffer.concat([Buffer.from('{"event_type": "test.push", "payload": {"x": "'), Buffer.from([0xff, 0xfe]), Buffer.from('"}}')]), {}],
        [Buffer.from(inner({ priority: 'INFO', payload: {}, message_id: 'no-type-1', timestamp: '2026-01-01 00:00:00' })), {}],
      ];
      for (const [body, headers] of bad) pub.send('herald-test', 'notifications.info', body, headers);
      // An unknown priority is no event for Ceilometer either: dropped, counted.
      pub.send('herald-test', 'notifications.info', osloEnvelope({ event_type: 'test.push', payload: { target: 'survivor', n: 0 }, priority: 'BOGUS' }));
      // A compressed good one goes through.
      pub.send('herald-test', 'notifications.info', deflateSync(testPush('survivor', 2)), { compression: 'application/x-gzip' });
      pub.send('herald-test', 'notifications.info', testPush('survivor', 3));
      await pub.confirm();
      await c.waitFor((f) => f.filter((x) => x.type === 'push').length === 2, 30000);
      expect(c.pushes().map((p) => (p.data!.message as { n: number }).n)).toEqual([2, 3]);
      const dead: amqplib.GetMessage[] = [];
      for (let i = 0; i < 100 && dead.length < bad.length; i++) {
        const m = await ch.get('herald.dead', { noAck: true });
        if (m) dead.push(m);
        else await sleep(50);
      }
      const reasons = dead.map((m) => String(m.properties.headers!['x-herald-reason']));
      expect(reasons).toHaveLength(bad.length);
      expect(reasons.join('\n')).toMatch(/not JSON/);
      expect(reasons.join('\n')).toMatch(/unsupported envelope version '3\.0'/);
      expect(reasons.join('\n')).toMatch(/exceeds max_message_bytes/);
      expect(reasons.join('\n')).toMatch(/nests deeper than max_json_depth/);
      expect(reasons.join('\n')).toMatch(/unsupported compression "application\/x-bz2"/);
      const codes = dead.map((m) => String(m.properties.headers!['x-herald-reason-code']));
      expect(codes).toContain('not_utf8');
      expect(codes).toContain('no_event_type');
      expect(reasons.join('\n')).toMatch(/has no event_type/);
      expect(dead.every((m) => m.properties.headers!['x-herald-exchange'] === 'herald-test')).toBe(true);
      const metrics = await (await fetch(`http://127.0.0.1:${g.port}/metrics`)).text();
      const sum = (re: RegExp) => [...metrics.matchAll(re)].reduce((a, m) => a + Number(m[1]), 0);
      expect(sum(/^herald_notifications_dead_lettered_total\{[^}]*\} (\d+)/gm)).toBe(bad.length);
      expect(metrics).toMatch(/herald_notifications_dropped_total\{reason="unknown_priority"\} 1/);
      expect((await fetch(`http://127.0.0.1:${g.port}/healthz`)).status).toBe(200);
      c.ws.close();
    } finally {
      await ch.close();
      await conn.close();
      await pub.close();
      await g.stop();
    }
  }, 120_000);

  it('6: RabbitMQ stopped and restarted mid-stream: Herald reconnects, every notification is pushed once', async () => {
    const queue = 'herald-durable';
    const g = await gatewayWith(settings({ queue, collector: 'durable_queues = True\nprefetch = 20' }), bulk);
    let pub = await rawPublisher(rabbit.port);
    try {
      await consuming(g);
      const c = connect(g.port, { token: await token('steady') });
      await ready(c);
      // Durable exchange (oslo with amqp_durable_queues) so the stream survives the restart.
      const conn = await amqplib.connect({ hostname: '127.0.0.1', port: rabbit.port });
      const setup = await conn.createChannel();
      await setup.assertExchange('herald-durable-ex', 'topic', { durable: true });
      await setup.bindQueue(queue, 'herald-durable-ex', 'notifications.info');
      await setup.close();
      await conn.close();
      const total = 3000;
      // Half before the stop, half after the restart: the restart is always mid-stream.
      for (let n = 1; n <= total / 2; n++) pub.send('herald-durable-ex', 'notifications.info', testPush('steady', n));
      await pub.confirm();
      await pub.close().catch(() => undefined);
      await c.waitFor((f) => f.length > 50);
      rabbit.down();
      const during = c.pushes().length;
      rabbit.up();
      pub = await rawPublisher(rabbit.port);
      for (let n = total / 2 + 1; n <= total; n++) pub.send('herald-durable-ex', 'notifications.info', testPush('steady', n));
      await pub.confirm();
      await pub.close().catch(() => undefined);
      await c.waitFor((f) => f.filter((x) => x.type === 'push').length >= total, 90000);
      await sleep(500);
      const ns = c.pushes().map((p) => (p.data!.message as { n: number }).n);
      expect(during).toBeLessThan(total);
      expect(new Set(ns).size).toBe(total);
      expect(ns).toHaveLength(total);
      const metrics = await (await fetch(`http://127.0.0.1:${g.port}/metrics`)).text();
      expect(Number(/herald_source_connects_total\{source="rabbitmq"\} (\d+)/.exec(metrics)![1])).toBeGreaterThanOrEqual(2);
      c.ws.close();
      pub = await rawPublisher(rabbit.port);
    } finally {
      await pub.close().catch(() => undefined);
      await g.stop();
    }
  }, 240_000);

  it('8: SIGTERM under load closes sockets with 1001 and acks nothing that was not pushed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'herald-term-'));
    const port = await freePort();
    const queue = 'herald-term';
    writeFileSync(join(dir, 'settings.ini'), settings({ queue, collector: 'prefetch = 50' }).replace('port = 0', `port = ${port}`) + PUSH_RULES_INI);
    writeFileSync(join(dir, 'event_definitions.yaml'), PUSH_RULES_YAML);
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'herald.mjs'), 'serve', '--rules', dir, '--config', join(dir, 'settings.ini')], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, HERALD_LOG_LEVEL: 'warn' } });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    const pub = await rawPublisher(rabbit.port);
    try {
      await waitHttp(port, '/readyz', 60, () => stderr);
      const c = connect(port, { token: await token('loaded') });
      await ready(c);
      // The stream never ends before the gateway does: batches go on until it has exited, then
      // one more, so SIGTERM always lands mid-stream whoever is faster (bounded in count).
      let gone = false;
      void exited.then(() => (gone = true));
      let total = 0;
      const batch = async (): Promise<void> => {
        for (let i = 0; i < 500; i++) pub.send('herald-test', 'notifications.info', testPush('loaded', ++total));
        await pub.confirm();
      };
      await batch();
      await c.waitFor((f) => f.length > 200);
      child.kill('SIGTERM');
      while (!gone && total < 200_000) await batch();
      await exited;
      await batch();
      const closed = await c.closed;
      expect(closed.code).toBe(1001);
      expect(await exited).toBe(0);
      const received = new Set(c.pushes().map((p) => (p.data!.message as { n: number }).n));
      const conn = await amqplib.connect({ hostname: '127.0.0.1', port: rabbit.port });
      const ch = await conn.createChannel();
      const left = (await ch.checkQueue(queue)).messageCount;
      const remaining = new Set<number>();
      for (let m = await ch.get(queue, { noAck: true }); m; m = await ch.get(queue, { noAck: true })) {
        const inner = JSON.parse(JSON.parse(m.content.toString())['oslo.message']);
        remaining.add(inner.payload.n);
      }
      await ch.close();
      await conn.close();
      // Everything is either pushed or still in the queue: nothing acked without a push.
      expect(received.size).toBeLessThan(total);
      expect(left).toBe(remaining.size);
      for (let n = 1; n <= total; n++) expect(received.has(n) || remaining.has(n), `notification ${n}`).toBe(true);
    } finally {
      child.kill('SIGKILL');
      await pub.close();
    }
  }, 180_000);
});
