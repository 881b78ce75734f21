// The Kafka source's pure parts: the commit point never passes an unsettled record, and oslo's
// kafka:// transport_url names the brokers, credentials and the topics its producer writes.
import { describe, expect, it } from 'vitest';
import { PartitionOffsets } from '../../runtime/sources/kafka/offsets.js';
import { notificationTopics, parseKafkaUrl } from '../../runtime/sources/kafka/transport-url.js';
import { KAFKA_OPTIONS, readKafkaConfig } from '../../runtime/sources/kafka/options.js';
import { sourceForUrl } from '../../runtime/sources/registry.js';
import { SETTINGS_SCHEMA } from '../../runtime/config/schema.js';

describe('PartitionOffsets', () => {
  it('commits up to the first unsettled offset, across gaps, whatever order they settle in', () => {
    const p = new PartitionOffsets();
    expect(p.committable()).toBeNull();
    for (const o of [5n, 6n, 9n, 10n]) p.take(o);
    p.settle(6n);
    p.settle(10n);
    expect(p.committable()).toBeNull();
    expect(p.unsettled).toBe(2);
    p.settle(5n);
    expect(p.committable()).toBe(7n);
    p.settle(9n);
    expect(p.committable()).toBe(11n);
    expect(p.unsettled).toBe(0);
  });

  it('stays correct over many records (its array is compacted)', () => {
    const p = new PartitionOffsets();
    for (let i = 0n; i < 5000n; i++) p.take(i);
    for (let i = 4999n; i >= 1n; i--) p.settle(i);
    expect(p.committable()).toBeNull();
    p.settle(0n);
    expect(p.committable()).toBe(5000n);
    p.take(5000n);
    expect(p.committable()).toBe(5000n);
  });
});

describe('kafka:// transport_url', () => {
  it('picks the Kafka source, whose options are in the settings schema', () => {
    expect(sourceForUrl('kafka://h1:9092,h2:9092/')?.kind).toBe('kafka');
    expect(sourceForUrl('KAFKA://h/')?.createBus).toBeTypeOf('function');
    for (const [name, spec] of Object.entries(KAFKA_OPTIONS)) expect(SETTINGS_SCHEMA.MESSAGE_COLLECTOR![name]).toBe(spec);
  });

  it('reads several hosts, default port, credentials and the vhost', () => {
    expect(parseKafkaUrl('kafka://a:9093,b/')).toEqual({ brokers: ['a:9093', 'b:9092'], vhost: '', username: null, password: null });
    expect(parseKafkaUrl('kafka://u:p%40ss@k1:9092,u:p%40ss@k2:9092/region1')).toEqual({ brokers: ['k1:9092', 'k2:9092'], vhost: 'region1', username: 'u', password: 'p@ss' });
    expect(() => parseKafkaUrl('rabbit://x/')).toThrow(/kafka:\/\/host:port/);
    expect(() => parseKafkaUrl('kafka:///')).toThrow(/names no broker/);
  });

  it("topics are oslo's producer's: <topic>.<priority>[.<vhost>]", () => {
    expect(notificationTopics(['notifications', 'versioned_notifications'], ['info', 'error'], '')).toEqual(['notifications.info', 'notifications.error', 'versioned_notifications.info', 'versioned_notifications.error']);
    expect(notificationTopics(['notifications'], ['info'], 'v1')).toEqual(['notifications.info.v1']);
  });

  it('refuses SASL without credentials and unknown offset resets, in one line', () => {
    const opts = (o: Record<string, unknown>) => (name: string) => (o[name] ?? { topics: ['notifications'], priorities: ['info'], kafka_max_in_flight: 8, reconnect_max_seconds: 1 }[name] ?? '') as never;
    expect(() => readKafkaConfig('kafka://h:9092/', opts({ security_protocol: 'SASL_PLAINTEXT', sasl_mechanism: 'PLAIN', kafka_auto_offset_reset: 'latest' }))).toThrow(/needs user:password@/);
    expect(() => readKafkaConfig('kafka://h:9092/', opts({ kafka_auto_offset_reset: 'newest', security_protocol: 'PLAINTEXT' }))).toThrow(/latest or earliest/);
    const ok = readKafkaConfig('kafka://u:p@h:9092/v', opts({ kafka_auto_offset_reset: 'earliest', security_protocol: 'SASL_PLAINTEXT', sasl_mechanism: 'SCRAM-SHA-512' }));
    expect(ok).toMatchObject({ topics: ['notifications.info.v'], fromBeginning: true, sasl: { mechanism: 'scram-sha-512', username: 'u', password: 'p' }, ssl: null, maxInFlight: 8 });
  });
});
