// The Kafka source alone, against a real Kafka 4.x and the real oslo.messaging Kafka driver:
// records arrive as v2 envelopes, poison goes to the dead-letter topic with reason headers,
// offsets are committed only past settled records, the broker stops and starts mid-stream, and a
// restarted consumer gets the unsettled records again under the same redeliveryKey.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SETTINGS_SCHEMA } from '../../runtime/config/schema.js';
import { makeLogger } from '../../runtime/gateway/log.js';
import { readBody } from '../../runtime/gateway/wire.js';
import type { PyValue } from '../../runtime/semantics/pyvalue.js';
import { KAFKA_OPTIONS, readKafkaConfig } from '../../runtime/sources/kafka/options.js';
import { KafkaSource } from '../../runtime/sources/kafka/source.js';
import { DEAD_LETTER_HEADERS } from '../../runtime/sources/kafka/dead-letters.js';
import type { Delivery, Reason, Verdict } from '../../runtime/sources/source.js';
import { sleep } from '../gateway/harness.js';
import { createTopics, groupLag, osloPublishKafka, readTopic, startKafka, stopKafka, type KafkaBroker } from './harness.js';

let kafka: KafkaBroker;
beforeAll(async () => void (kafka = await startKafka()), 300_000);
afterAll(() => stopKafka(kafka), 120_000);

const LIMITS = { maxMessageBytes: 4096, maxJsonDepth: 64 };
const silent = makeLogger('silent');

interface Seen {
  delivery: Delivery;
  n: number | null;
}

/** A source on its own vhost (so its own topics) with a handler deciding verdicts from the decoded `n`. */
async function sourceFor(vhost: string, group: string, decide: (n: number | null, d: Delivery) => Verdict, extra: Record<string, PyValue> = {}) {
  const values: Record<string, PyValue> = { kafka_max_in_flight: 64, reconnect_max_seconds: 2, kafka_consumer_group: group, dead_letter_topic: `dead.${vhost}`, ...extra };
  const option = (name: string): PyValue => (name in values ? values[name]! : (KAFKA_OPTIONS[name] ?? SETTINGS_SCHEMA.MESSAGE_COLLECTOR![name]!).default);
  await createTopics(kafka, [`notifications.info.${vhost}`, `dead.${vhost}`]);
  const seen: Seen[] = [];
  const dead: Reason[] = [];
  let connects = 0;
  const source = new KafkaSource(readKafkaConfig(`${kafka.url}${vhost}`, option), { log: silent, events: { connected: () => void connects++, deadLettered: (r) => void dead.push(r) } });
  source.start((d) => {
    const r = readBody(d.body, d.headers.compression, LIMITS);
    const n = r.ok ? Number((r.message.get('payload') as Map<string, PyValue>).get('n')) : null;
    seen.push({ delivery: d, n });
    return decide(n, d);
  });
  return { source, seen, dead, connects: () => connects, topic: `notifications.info.${vhost}` };
}

const handed: Verdict = { kind: 'handed-over', messageId: null, pushes: 1 };
const records = (from: number, count: number) => Array.from({ length: count }, (_, i) => ({ event_type: 'test.push', payload: { n: from + i }, context: { user_id: 'u1', project_id: 'p1' } }));

async function until(what: string, pred: () => boolean | Promise<boolean>, seconds = 60): Promise<void> {
  const end = Date.now() + seconds * 1000;
  while (!(await pred())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

const consuming = (s: KafkaSource) => until('the source to consume', () => s.readiness().ready);

describe('Kafka source against a real broker and the oslo Kafka driver', () => {
  it('gets the oslo records as v2 envelopes (context nested, no _unique_id) keyed topic/partition/offset, and commits them', async () => {
    const s = await sourceFor('env', 'g-env', () => handed);
    try {
      await consuming(s.source);
      osloPublishKafka(`${kafka.url}env`, records(1, 3));
      await until('3 records', () => s.seen.length >= 3);
      expect(s.seen.map((x) => x.n)).toEqual([1, 2, 3]);
      const r = readBody(s.seen[0]!.delivery.body, undefined, LIMITS);
      expect(r.ok).toBe(true);
      const outer = JSON.parse(Buffer.from(s.seen[0]!.delivery.body).toString('utf8'));
      expect(Object.keys(outer)).toEqual(['oslo.version', 'oslo.message']);
      const inner = JSON.parse(outer['oslo.message']);
      expect(inner._context.user_id).toBe('u1');
      expect(inner).not.toHaveProperty('_unique_id');
      expect(s.seen.map((x) => x.delivery.redeliveryKey)).toEqual([0, 1, 2].map((o) => `${s.topic}/0/${o}`));
      await until('lag 0', async () => (await groupLag(kafka, 'g-env', s.topic)) === 0);
    } finally {
      await s.source.stop();
    }
  });

  it('dead-letters poison with reason and origin headers, commits only once stored, and goes on', async () => {
    const s = await sourceFor('poison', 'g-poison', (n) => (n === null ? { kind: 'dead-letter', reason: { code: 'not_json', message: 'body is not JSON' } } : handed));
    try {
      await consuming(s.source);
      const producer = kafka.client().producer();
      await producer.connect();
      osloPublishKafka(`${kafka.url}poison`, records(1, 1));
      await producer.send({ topic: s.topic, acks: -1, messages: [{ value: 'not json {' }, { value: Buffer.from([0xff, 0xfe]) }] });
      osloPublishKafka(`${kafka.url}poison`, records(2, 1));
      await producer.disconnect();
      await until('4 records', () => s.seen.length >= 4);
      expect(s.seen.map((x) => x.n)).toEqual([1, null, null, 2]);
      await until('2 dead letters', () => s.dead.length === 2);
      const letters = await readTopic(kafka, 'dead.poison');
      // Two dead letters are stored concurrently: their order on the topic is not the records' order.
      letters.sort((a, b) => Number(a.headers[DEAD_LETTER_HEADERS.offset]) - Number(b.headers[DEAD_LETTER_HEADERS.offset]));
      expect(letters.map((l) => l.value.toString('latin1'))).toEqual(['not json {', Buffer.from([0xff, 0xfe]).toString('latin1')]);
      for (const [i, l] of letters.entries()) {
        expect(l.headers[DEAD_LETTER_HEADERS.code]).toBe('not_json');
        expect(l.headers[DEAD_LETTER_HEADERS.message]).toBe('body is not JSON');
        expect(l.headers[DEAD_LETTER_HEADERS.topic]).toBe(s.topic);
        expect(l.headers[DEAD_LETTER_HEADERS.partition]).toBe('0');
        expect(l.headers[DEAD_LETTER_HEADERS.offset]).toBe(String(i + 1));
      }
      await until('lag 0', async () => (await groupLag(kafka, 'g-poison', s.topic)) === 0);
    } finally {
      await s.source.stop();
    }
  });

  it('commits no offset past a pending verdict until it settles, then all of them', async () => {
    let settle: (v: Verdict) => void = () => undefined;
    const pending = new Promise<Verdict>((r) => (settle = r));
    const s = await sourceFor('pending', 'g-pending', (n) => (n === 3 ? { kind: 'pending', settled: pending } : handed));
    try {
      await consuming(s.source);
      osloPublishKafka(`${kafka.url}pending`, records(1, 6));
      await until('6 records', () => s.seen.length >= 6);
      // Records 4..6 were handed over after the pending one: give the source time to commit them wrongly.
      await sleep(1500);
      expect(await groupLag(kafka, 'g-pending', s.topic)).toBe(4);
      settle(handed);
      await until('lag 0', async () => (await groupLag(kafka, 'g-pending', s.topic)) === 0);
    } finally {
      await s.source.stop();
    }
  });

  it('a restarted consumer gets the unsettled records again under the same redeliveryKey', async () => {
    const first = await sourceFor('restart', 'g-restart', (n) => (n !== null && n >= 3 ? { kind: 'pending', settled: new Promise<Verdict>(() => undefined) } : handed));
    await consuming(first.source);
    osloPublishKafka(`${kafka.url}restart`, records(1, 5));
    await until('5 records', () => first.seen.length >= 5);
    await sleep(500);
    await first.source.stop();
    const second = await sourceFor('restart', 'g-restart', () => handed);
    try {
      await until('3 redeliveries', () => second.seen.length >= 3);
      expect(second.seen.map((x) => x.n)).toEqual([3, 4, 5]);
      expect(second.seen.map((x) => x.delivery.redeliveryKey)).toEqual(first.seen.slice(2).map((x) => x.delivery.redeliveryKey));
      await until('lag 0', async () => (await groupLag(kafka, 'g-restart', second.topic)) === 0);
    } finally {
      await second.source.stop();
    }
  });

  it('the broker stopped and started mid-stream: readiness follows, every record arrives, lag ends 0', async () => {
    const s = await sourceFor('fault', 'g-fault', () => handed);
    try {
      await consuming(s.source);
      osloPublishKafka(`${kafka.url}fault`, records(1, 50));
      await until('the first 50', () => new Set(s.seen.map((x) => x.n)).size >= 50);
      await kafka.stop();
      await until('readiness false', () => !s.source.readiness().ready, 60);
      await kafka.start();
      await consuming(s.source);
      osloPublishKafka(`${kafka.url}fault`, records(51, 50));
      await until('all 100', () => new Set(s.seen.map((x) => x.n)).size >= 100, 90);
      expect([...new Set(s.seen.map((x) => x.n))].sort((a, b) => a! - b!)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
      await until('lag 0', async () => (await groupLag(kafka, 'g-fault', s.topic)) === 0);
      expect(s.connects()).toBeGreaterThanOrEqual(2);
    } finally {
      await s.source.stop();
    }
  });
});
