// The Kafka source's own [MESSAGE_COLLECTOR] options (TLS/SASL in oslo's [oslo_messaging_kafka]
// naming) and the typed configuration read from them and the shared ones.
import { readFileSync } from 'node:fs';
import type { OptionSpec } from '../../core/options.js';
import type { PyValue } from '../../semantics/pyvalue.js';
import { parseKafkaUrl, notificationTopics, type KafkaTarget } from './transport-url.js';

export const KAFKA_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  kafka_consumer_group: { kind: 'string', default: 'herald', doc: "Kafka: Herald's consumer group (its own, so Ceilometer's group keeps its copies); nodes of one deployment share it" },
  kafka_auto_offset_reset: { kind: 'string', default: 'latest', doc: 'Kafka: where a new group starts, latest (oslo\'s default) or earliest' },
  dead_letter_topic: { kind: 'string', default: 'herald.dead', doc: 'Kafka: topic for undecodable records, with reason, source topic, partition and offset headers (empty = discard)' },
  kafka_max_in_flight: { kind: 'int', default: 1024, doc: 'Kafka: records handed to the gateway and not yet settled, at most (fetching waits beyond)' },
  kafka_push_topic: { kind: 'string', default: 'herald.push', doc: 'Kafka scale_out: topic carrying pushes between nodes' },
  security_protocol: { kind: 'string', default: 'PLAINTEXT', doc: "Kafka (oslo's name): PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL" },
  sasl_mechanism: { kind: 'string', default: 'PLAIN', doc: "Kafka (oslo's name): PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512; user and password from transport_url" },
  ssl_cafile: { kind: 'string', default: '', doc: "Kafka (oslo's name): CA bundle (PEM) the broker's certificate is checked against" },
  ssl_client_cert_file: { kind: 'string', default: '', doc: "Kafka (oslo's name): client certificate (PEM) for mutual TLS" },
  ssl_client_key_file: { kind: 'string', default: '', doc: "Kafka (oslo's name): client key (PEM) for mutual TLS" },
  ssl_client_key_password: { kind: 'string', default: '', doc: "Kafka (oslo's name): the client key's password" },
};

export type SaslMechanism = 'plain' | 'scram-sha-256' | 'scram-sha-512';

export interface KafkaConfig {
  target: KafkaTarget;
  topics: string[];
  group: string;
  fromBeginning: boolean;
  deadLetterTopic: string | null;
  pushTopic: string;
  /** Records handed to the gateway and not settled, at most. */
  maxInFlight: number;
  reconnectMaxSeconds: number;
  ssl: { ca?: string; cert?: string; key?: string; passphrase?: string } | null;
  sasl: { mechanism: SaslMechanism; username: string; password: string } | null;
}

export class KafkaOptionError extends Error {}

const MECHANISMS: Record<string, SaslMechanism> = { PLAIN: 'plain', 'SCRAM-SHA-256': 'scram-sha-256', 'SCRAM-SHA-512': 'scram-sha-512' };

export function readKafkaConfig(transportUrl: string, option: (name: string) => PyValue): KafkaConfig {
  const str = (name: string): string => String(option(name) ?? '').trim();
  const list = (name: string): string[] => (option(name) as PyValue[]).map(String);
  const target = parseKafkaUrl(transportUrl);
  const reset = str('kafka_auto_offset_reset').toLowerCase();
  if (reset !== 'latest' && reset !== 'earliest') throw new KafkaOptionError(`kafka_auto_offset_reset must be latest or earliest, not ${JSON.stringify(reset)}`);
  const protocol = str('security_protocol').toUpperCase();
  if (!['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'].includes(protocol)) throw new KafkaOptionError(`security_protocol must be PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL, not ${JSON.stringify(protocol)}`);
  const mechanism = MECHANISMS[str('sasl_mechanism').toUpperCase()];
  if (protocol.startsWith('SASL') && !mechanism) throw new KafkaOptionError(`sasl_mechanism ${JSON.stringify(str('sasl_mechanism'))} is not supported (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512)`);
  if (protocol.startsWith('SASL') && (target.username === null || target.password === null)) throw new KafkaOptionError('security_protocol SASL_* needs user:password@ in transport_url');
  const file = (name: string): string | undefined => {
    const path = str(name);
    if (!path) return undefined;
    try {
      return readFileSync(path, 'utf8');
    } catch (e) {
      throw new KafkaOptionError(`${name} ${path}: ${(e as Error).message}`);
    }
  };
  const tls = protocol === 'SSL' || protocol === 'SASL_SSL';
  const passphrase = str('ssl_client_key_password');
  return {
    target,
    topics: notificationTopics(list('topics'), list('priorities'), target.vhost),
    group: str('kafka_consumer_group') || 'herald',
    fromBeginning: reset === 'earliest',
    deadLetterTopic: str('dead_letter_topic') || null,
    pushTopic: str('kafka_push_topic') || 'herald.push',
    maxInFlight: Math.max(1, Number(option('kafka_max_in_flight'))),
    reconnectMaxSeconds: Math.max(1, Number(option('reconnect_max_seconds'))),
    ssl: tls ? { ca: file('ssl_cafile'), cert: file('ssl_client_cert_file'), key: file('ssl_client_key_file'), ...(passphrase ? { passphrase } : {}) } : null,
    sasl: protocol.startsWith('SASL') ? { mechanism: mechanism!, username: target.username!, password: target.password! } : null,
  };
}
