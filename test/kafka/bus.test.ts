// The Kafka push bus alone against a real broker: every node reads the push topic and keeps only
// the pushes for audiences it holds, in publish order; a released audience gets nothing more.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SETTINGS_SCHEMA } from '../../runtime/config/schema.js';
import { makeLogger } from '../../runtime/gateway/log.js';
import type { PyValue } from '../../runtime/semantics/pyvalue.js';
import type { RoutedPush } from '../../runtime/bus/push-bus.js';
import { KAFKA_OPTIONS, readKafkaConfig } from '../../runtime/sources/kafka/options.js';
import { KafkaPushBus } from '../../runtime/sources/kafka/bus.js';
import { sleep } from '../gateway/harness.js';
import { createTopics, startKafka, stopKafka, type KafkaBroker } from './harness.js';

let kafka: KafkaBroker;
beforeAll(async () => void (kafka = await startKafka()), 300_000);
afterAll(() => stopKafka(kafka), 120_000);

function node() {
  const option = (name: string): PyValue => (name === 'kafka_push_topic' ? 'push.test' : (KAFKA_OPTIONS[name] ?? SETTINGS_SCHEMA.MESSAGE_COLLECTOR![name]!).default);
  const got: RoutedPush[] = [];
  const interruptions: string[] = [];
  const bus = new KafkaPushBus(readKafkaConfig(kafka.url, option), { log: makeLogger('silent'), events: { connected: () => undefined, deadLettered: () => undefined } });
  return { bus, got, interruptions, started: bus.start({ deliver: (p) => void got.push(p), interrupted: (why) => void interruptions.push(why) }) };
}

describe('Kafka push bus', () => {
  it('each node keeps exactly the pushes for what it holds, in order; released audiences get nothing more', async () => {
    await createTopics(kafka, ['push.test']);
    const a = node();
    const b = node();
    await Promise.all([a.started, b.started]);
    const releaseA = await a.bus.hold({ users: ['u1'], projects: [] });
    await b.bus.hold({ users: ['u2'], projects: ['p1'] });
    const pushes: RoutedPush[] = Array.from({ length: 300 }, (_, i) => ({ id: `n${i}`, users: i % 3 === 0 ? ['u1'] : i % 3 === 1 ? ['u2', 'u9'] : ['u1'], projects: i % 3 === 2 ? ['p1'] : [], data: JSON.stringify({ n: i }) }));
    await a.bus.publish(pushes.slice(0, 150));
    await b.bus.publish(pushes.slice(150));
    const until = Date.now() + 30_000;
    while ((a.got.length < 200 || b.got.length < 200) && Date.now() < until) await sleep(50);
    expect(a.got.map((p) => p.id)).toEqual(pushes.filter((p) => p.users.includes('u1')).map((p) => p.id));
    expect(a.got.every((p) => p.users.join() === 'u1' && p.projects.length === 0)).toBe(true);
    expect(b.got.map((p) => p.id)).toEqual(pushes.filter((p) => p.users.includes('u2') || p.projects.includes('p1')).map((p) => p.id));
    expect(b.got.filter((p) => p.users.includes('u9'))).toEqual([]);
    releaseA();
    await b.bus.publish([{ id: 'late', users: ['u1', 'u2'], projects: [], data: '{}' }]);
    while (b.got.length < 201 && Date.now() < until) await sleep(50);
    await sleep(500);
    expect(b.got.at(-1)!.id).toBe('late');
    expect(a.got.some((p) => p.id === 'late')).toBe(false);
    expect(a.bus.readiness().ready && b.bus.readiness().ready).toBe(true);
    expect([...a.interruptions, ...b.interruptions]).toEqual([]);
    await Promise.all([a.bus.stop(), b.bus.stop()]);
  });
});
