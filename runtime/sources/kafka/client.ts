// One kafkajs client per source or bus: the bootstrap hosts (kafkajs tries them in turn), TLS and
// SASL from the options, reconnect back-off capped at reconnect_max_seconds, and kafkajs's own log
// lines in Herald's log as warnings, each distinct line at most once per LOG_EVERY_MS (a broker
// outage would otherwise log every retry).
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
    logCreator: () => throttledLog(log),
  });
}

const LOG_EVERY_MS = 30_000;

function throttledLog(log: Logger): (entry: LogEntry) => void {
  const last = new Map<string, number>();
  return ({ level, log: entry }: LogEntry) => {
    const { message, timestamp: _t, logger: _l, stack: _s, retryCount: _c, retryTime: _r, ...fields } = entry as LogEntry['log'] & Record<string, unknown>;
    const now = Date.now();
    if (now - (last.get(message) ?? 0) < LOG_EVERY_MS) return;
    if (last.size > 1000) last.clear();
    last.set(message, now);
    if (level <= logLevel.ERROR) log.warn({ kafka: fields }, `kafka: ${message}`);
    else log.info({ kafka: fields }, `kafka: ${message}`);
  };
}
