// Issue 15 acceptance, through the real `herald serve` against a real Kafka 4.x and the real
// oslo.messaging Kafka driver: the seed frame, 10,000 notifications for 100 users in order,
// broker stop/start and SIGKILL mid-stream, poison to the dead-letter topic, two nodes in one
// group with one SIGKILLed. One broker for the file; each test has its own vhost (so topics) and
// consumer group. Counts shrink with HERALD_KAFKA_PUSHES (npm run test:full runs them in full).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, SAMPLES } from '../helpers.js';
import { connect, freePort, ready, sleep, token, waitHttp, PUSH_RULES_INI, PUSH_RULES_YAML, SECRET, type Client } from '../gateway/harness.js';
import { createTopics, groupLag, osloPublishKafka, readTopic, startKafka, stopKafka, type KafkaBroker } from './harness.js';

// CI runs 2,000 (the oslo publisher does ~1.3k/s); npm run test:full runs the acceptance's 10,000.
const PUSHES = Number(process.env.HERALD_KAFKA_PUSHES ?? 2_000);
const SEED = join(SAMPLES, 'seed');

let kafka: KafkaBroker;
const started: ChildProcess[] = [];
beforeAll(async () => void (kafka = await startKafka()), 300_000);
afterAll(async () => {
  for (const c of started) c.kill('SIGKILL');
  await stopKafka(kafka);
}, 120_000);

function pushRules(): string {
  const dir = mkdtempSync(join(tmpdir(), 'herald-kafka-rules-'));
  writeFileSync(join(dir, 'event_definitions.yaml'), PUSH_RULES_YAML);
  writeFileSync(join(dir, 'settings.ini'), PUSH_RULES_INI);
  return dir;
}

interface Node {
  port: number;
  child: ChildProcess;
  stderr: () => string;
}

/** `herald serve` on its own port with the given [MESSAGE_COLLECTOR] lines; resolves once it serves HTTP. */
async function serve(rules: string, vhost: string, collector: string, port?: number): Promise<Node> {
  port ??= await freePort();
  const cfg = join(mkdtempSync(join(tmpdir(), 'herald-kafka-gw-')), 'gw.ini');
  writeFileSync(cfg, `[MESSAGE_COLLECTOR]\ntransport_url = ${kafka.url}${vhost}\nreconnect_max_seconds = 1\n${collector}\n[WEBSOCKET]\nport = ${port}\njwt_secret = ${SECRET}\nmax_backpressure = 16777216\n`);
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'herald.mjs'), 'serve', '--rules', rules, '--config', cfg], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, HERALD_LOG_LEVEL: 'warn' } });
  started.push(child);
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => void (stderr = (stderr + d.toString()).slice(-8000)));
  await waitHttp(port, '/healthz', 60, () => stderr);
  return { port, child, stderr: () => stderr };
}

const consuming = (n: Node): Promise<void> => waitHttp(n.port, '/readyz', 60, n.stderr);

async function metric(port: number, name: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  let sum = 0;
  for (const m of text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\d+)`, 'gm'))) sum += Number(m[1]);
  return sum;
}

const nOf = (c: Client): number[] => c.pushes().map((p) => (p.data!.message as { n: number }).n);
const pushRecord = (target: string, n: number) => ({ event_type: 'test.push', payload: { target, n }, context: { user_id: 'svc', project_id: 'p' } });

async function until(what: string, pred: () => boolean | Promise<boolean>, seconds = 90): Promise<void> {
  const end = Date.now() + seconds * 1000;
  while (!(await pred())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** Publishes in the background with the real oslo driver (the test goes on while it runs). */
function publishInBackground(url: string, records: object[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('/usr/bin/python3', [join(ROOT, '..', 'shared', 'tools', 'oslo_publish.py'), '--url', url, '--quiet', '--rate', '400', '-'], { stdio: ['pipe', 'ignore', 'pipe'] });
    let err = '';
    child.stderr!.on('data', (d: Buffer) => void (err += d.toString()));
    child.stdin!.end(records.map((r) => JSON.stringify(r)).join('\n') + '\n');
    child.once('exit', (code) => (code === 0 && /"delivery_errors_logged": 0/.test(err) ? resolve() : reject(new Error(`oslo_publish: ${code} ${err.slice(-1000)}`))));
  });
}

describe('Herald on Kafka (herald serve, real broker, oslo Kafka driver)', () => {
  it("1: the seed's volume.create.end from the oslo Kafka driver reaches both of u1's sockets as the exact frame; v2 gets nothing", async () => {
    await createTopics(kafka, ['notifications.info.seed', 'notifications.error.seed']);
    const node = await serve(SEED, 'seed', 'kafka_consumer_group = herald-seed');
    try {
      await consuming(node);
      const u1 = connect(node.port, { token: await token('u1') });
      const u2 = connect(node.port, { bearer: await token('u1') });
      const v = connect(node.port, { token: await token('v2') });
      for (const c of [u1, u2, v]) expect((await ready(c)).type).toBe('ready');
      const inner = JSON.parse(JSON.parse(readFileSync(join(SEED, 'volume.create.end.json'), 'utf8'))['oslo.message']);
      osloPublishKafka(`${kafka.url}seed`, [{ event_type: inner.event_type, payload: inner.payload, priority: 'INFO', publisher_id: inner.publisher_id, context: { user_id: 'u1', project_id: 'p-42', request_id: 'req-7d3e' } }], ['--service', 'cinder']);
      const expected = '{"type":"push","seq":1,"data":{"message_event":"STATES","message_type":"volume","message":{"resource_id":"v9","name":"data","state":"created","option":"reload"}}}';
      for (const c of [u1, u2]) {
        await c.waitFor((f) => f.some((x) => x.type === 'push'));
        expect(JSON.stringify(c.pushes()[0])).toBe(expected);
      }
      await until('lag 0', async () => (await groupLag(kafka, 'herald-seed', 'notifications.info.seed')) === 0);
      await sleep(300);
      expect([u1.pushes().length, u2.pushes().length, v.pushes().length]).toEqual([1, 1, 0]);
      for (const c of [u1, u2, v]) c.ws.close();
    } finally {
      node.child.kill('SIGTERM');
    }
  });

  it(`2: ${PUSHES} notifications for 100 users: every connection gets exactly its pushes, in order`, async () => {
    await createTopics(kafka, ['notifications.info.bulk', 'notifications.error.bulk']);
    const node = await serve(pushRules(), 'bulk', 'kafka_consumer_group = herald-bulk');
    try {
      await consuming(node);
      const users = Array.from({ length: 100 }, (_, i) => `user-${i}`);
      const clients = await Promise.all(users.map(async (u) => connect(node.port, { token: await token(u) })));
      for (const c of clients) expect((await ready(c)).type).toBe('ready');
      const expected = users.map(() => [] as number[]);
      const records = Array.from({ length: PUSHES }, (_, i) => {
        const k = (i * 7) % users.length;
        expected[k]!.push(i + 1);
        return pushRecord(users[k]!, i + 1);
      });
      osloPublishKafka(`${kafka.url}bulk`, records, ['--threads', '1']);
      for (const [k, c] of clients.entries()) await c.waitFor((f) => f.filter((x) => x.type === 'push').length >= expected[k]!.length, 120_000);
      await sleep(500);
      for (const [k, c] of clients.entries()) {
        expect(nOf(c)).toEqual(expected[k]);
        expect(c.pushes().map((p) => p.seq)).toEqual(expected[k]!.map((_, i) => i + 1));
      }
      await until('lag 0', async () => (await groupLag(kafka, 'herald-bulk', 'notifications.info.bulk')) === 0);
      for (const c of clients) c.ws.close();
    } finally {
      node.child.kill('SIGTERM');
    }
  }, 300_000);

  it('3: broker stopped and started and Herald SIGKILLed mid-stream: every notification pushed, none twice per connection, lag ends 0', async () => {
    const total = Math.min(PUSHES, 4000);
    await createTopics(kafka, ['notifications.info.fault', 'notifications.error.fault']);
    const rules = pushRules();
    const collector = 'kafka_consumer_group = herald-fault';
    const first = await serve(rules, 'fault', collector);
    const port = first.port;
    await consuming(first);
    const c1 = connect(port, { token: await token('victim') });
    await ready(c1);
    const publishing = publishInBackground(`${kafka.url}fault`, Array.from({ length: total }, (_, i) => pushRecord('victim', i + 1)));
    await c1.waitFor((f) => f.length > 300, 60_000);
    // Broker stopped mid-stream; while it is down Herald is SIGKILLed and a new one started, so
    // the new one cannot consume before its client is connected.
    await kafka.stop();
    first.child.kill('SIGKILL');
    await c1.closed;
    const second = await serve(rules, 'fault', collector, port);
    try {
      const c2 = connect(port, { token: await token('victim') });
      await ready(c2);
      await kafka.start();
      await publishing;
      const all = () => new Set([...nOf(c1), ...nOf(c2)]);
      await c2.waitFor(() => all().size >= total, 120_000);
      expect(all().size).toBe(total);
      for (const c of [c1, c2]) expect(new Set(nOf(c)).size).toBe(nOf(c).length);
      expect(nOf(c1).length).toBeLessThan(total);
      await until('lag 0', async () => (await groupLag(kafka, 'herald-fault', 'notifications.info.fault')) === 0);
      c2.ws.close();
    } finally {
      second.child.kill('SIGTERM');
    }
  }, 300_000);

  it('4: poison records land on the dead-letter topic with their reason, and consumption goes on', async () => {
    await createTopics(kafka, ['notifications.info.poison', 'notifications.error.poison', 'dead.poison']);
    const node = await serve(pushRules(), 'poison', 'kafka_consumer_group = herald-poison\ndead_letter_topic = dead.poison\nmax_message_bytes = 4096');
    const producer = kafka.client().producer();
    try {
      await consuming(node);
      const c = connect(node.port, { token: await token('after') });
      await ready(c);
      await producer.connect();
      const envelope = (inner: object, version = '2.0') => JSON.stringify({ 'oslo.version': version, 'oslo.message': JSON.stringify(inner) });
      const poison = [
        { why: 'not_json', value: '{"oslo.version": "2.0", "oslo.mess' },
        { why: 'bad_envelope', value: envelope({ event_type: 'test.push', payload: { target: 'after', n: 0 } }, '3.0') },
        { why: 'too_big', value: envelope({ event_type: 'test.push', payload: { target: 'after', n: 0, pad: 'x'.repeat(5000) } }) },
        { why: 'decode_error', value: envelope({ message_id: 'm-bad', event_type: 'test.push', priority: 'INFO', timestamp: '2026-11-21 09:00:00', publisher_id: 'x', payload: { target: 'after', n: 'not a number' } }) },
      ];
      await producer.send({ topic: 'notifications.info.poison', acks: -1, messages: poison.map((p) => ({ value: p.value })) });
      osloPublishKafka(`${kafka.url}poison`, [pushRecord('after', 1)]);
      await c.waitFor((f) => f.some((x) => x.type === 'push'));
      expect(nOf(c)).toEqual([1]);
      await until('4 dead letters', async () => (await readTopic(kafka, 'dead.poison')).length >= 4, 60);
      const letters = await readTopic(kafka, 'dead.poison');
      letters.sort((a, b) => Number(a.headers['x-herald-offset']) - Number(b.headers['x-herald-offset']));
      expect(letters.map((l) => l.headers['x-herald-reason-code'])).toEqual(poison.map((p) => p.why));
      expect(letters.map((l) => l.value.toString())).toEqual(poison.map((p) => p.value));
      for (const l of letters) {
        expect(l.headers['x-herald-topic']).toBe('notifications.info.poison');
        expect(l.headers['x-herald-partition']).toBe('0');
        expect(l.headers['x-herald-reason']!.length).toBeGreaterThan(0);
      }
      await until('lag 0', async () => (await groupLag(kafka, 'herald-poison', 'notifications.info.poison')) === 0);
      c.ws.close();
    } finally {
      await producer.disconnect();
      node.child.kill('SIGTERM');
    }
  });

  it('5: two nodes in one group, one SIGKILLed: each notification decoded by one live node, each push delivered once to every addressed connection', async () => {
    const total = Math.min(PUSHES, 4000);
    await createTopics(kafka, ['notifications.info.scale', 'notifications.error.scale'], 4);
    await createTopics(kafka, ['push.scale']);
    const rules = pushRules();
    const collector = 'kafka_consumer_group = herald-scale\nscale_out = True\nkafka_push_topic = push.scale';
    const [a, b] = await Promise.all([serve(rules, 'scale', collector), serve(rules, 'scale', collector)]);
    try {
      await Promise.all([consuming(a!), consuming(b!)]);
      // Users on B only (they must survive A's death); A holds a user of its own.
      const users = Array.from({ length: 10 }, (_, i) => `scale-${i}`);
      const onB = await Promise.all(users.map(async (u) => connect(b!.port, { token: await token(u) })));
      const onA = connect(a!.port, { token: await token('on-a') });
      for (const c of [...onB, onA]) await ready(c);
      // Phase 1: both alive; every notification decoded by exactly one of them.
      const phase1 = Math.floor(total / 4);
      osloPublishKafka(`${kafka.url}scale`, Array.from({ length: phase1 }, (_, i) => pushRecord(i % 11 === 10 ? 'on-a' : users[i % 11]!, i + 1)));
      await until('phase 1 committed', async () => (await groupLag(kafka, 'herald-scale', 'notifications.info.scale')) === 0);
      const onAWants = Array.from({ length: phase1 }, (_, i) => i + 1).filter((n) => (n - 1) % 11 === 10);
      await onA.waitFor(() => nOf(onA).length >= onAWants.length);
      const decodedA = await metric(a!.port, 'herald_notifications_decoded_total');
      const decodedB = await metric(b!.port, 'herald_notifications_decoded_total');
      expect(decodedA + decodedB).toBe(phase1);
      expect(decodedA).toBeGreaterThan(0);
      expect(decodedB).toBeGreaterThan(0);
      // Phase 2: A is SIGKILLed mid-stream; B takes its partitions over.
      const publishing = publishInBackground(`${kafka.url}scale`, Array.from({ length: total - phase1 }, (_, i) => pushRecord(users[(phase1 + i) % 10]!, phase1 + i + 1)));
      await until('phase 2 under way', () => onB.reduce((s, c) => s + c.pushes().length, 0) > phase1 + 200);
      a!.child.kill('SIGKILL');
      await publishing;
      const want = (k: number): number[] => Array.from({ length: total }, (_, i) => i + 1).filter((n) => (n <= phase1 ? (n - 1) % 11 === k : (n - 1) % 10 === k));
      for (const [k, c] of onB.entries()) await c.waitFor(() => nOf(c).length >= want(k).length, 120_000);
      await until('lag 0', async () => (await groupLag(kafka, 'herald-scale', 'notifications.info.scale')) === 0);
      await sleep(500);
      for (const [k, c] of onB.entries()) expect(nOf(c).sort((x, y) => x - y)).toEqual(want(k));
      // Four partitions decoded side by side: the order across notifications is not kept (README).
      expect(nOf(onA).sort((x, y) => x - y)).toEqual(onAWants);
      for (const c of onB) c.ws.close();
    } finally {
      a!.child.kill('SIGKILL');
      b!.child.kill('SIGTERM');
    }
  }, 300_000);
});
