// One kafkajs client per source or bus: the bootstrap hosts (kafkajs tries them in turn), TLS and
// SASL from the options, reconnect back-off capped at reconnect_max_seconds, and kafkajs's own log
// lines in Herald's log (warnings and errors only).
import kafkajs, { type Kafka as KafkaClient, type LogEntry, type SASLOptions } from 'kafkajs';
import type { Logger } from '../../core/log.js';
import type { KafkaConfig } from './options.js';

const { Kafka, logLevel } = kafkajs;

export function makeClient(cfg: KafkaConfig, clientId: string, log: Logger): KafkaClient {
  const sasl: SASLOptions | undefined = cfg.sasl
    ? cfg.sasl.mechanism === 'plain'
      ? { mechanism: 'plain', username: cfg.sasl.username, password: cfg.sasl.password }
      : cfg.sasl.mechanism === 'scram-sha-256'
        ? { mechanism: 'scram-sha-256', username: cfg.sasl.username, password: cfg.sasl.password }
        : { mechanism: 'scram-sha-512', username: cfg.sasl.username, password: cfg.sasl.password }
    : undefined;
  return new Kafka({
    clientId,
    brokers: cfg.target.brokers,
    ssl: cfg.ssl ?? undefined,
    sasl,
    connectionTimeout: 3000,
    retry: { initialRetryTime: 250, maxRetryTime: cfg.reconnectMaxSeconds * 1000, retries: 8 },
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ level, log: entry }: LogEntry) => {
        const { message, ...fields } = entry;
        if (level <= logLevel.ERROR) log.error({ kafka: fields }, `kafka: ${message}`);
        else log.warn({ kafka: fields }, `kafka: ${message}`);
      },
  });
}
