// Dead letters on Kafka: the record as it came, with headers saying why (code and words) and where
// from (topic, partition, offset), acknowledged by every in-sync replica before the source commits
// past it; with no dead_letter_topic the record is only counted and logged.
import type { IHeaders, Kafka, Producer } from 'kafkajs';
import type { Logger } from '../../core/log.js';
import type { Reason } from '../source.js';
import type { KafkaConfig } from './options.js';

export interface DeadLetter {
  reason: Reason;
  value: Buffer | null;
  headers: IHeaders;
  topic: string;
  partition: number;
  offset: bigint;
}

export const DEAD_LETTER_HEADERS = {
  code: 'x-herald-reason-code',
  message: 'x-herald-reason',
  topic: 'x-herald-topic',
  partition: 'x-herald-partition',
  offset: 'x-herald-offset',
} as const;

export class DeadLetters {
  private producer: Producer | null = null;
  private connecting: Promise<Producer> | null = null;

  constructor(
    private readonly client: Kafka,
    private readonly cfg: KafkaConfig,
    private readonly log: Logger,
  ) {}

  private connected(): Promise<Producer> {
    this.connecting ??= (async () => {
      const p = this.client.producer({ allowAutoTopicCreation: true, retry: { retries: 5 } });
      await p.connect();
      this.producer = p;
      return p;
    })().catch((e: Error) => {
      this.connecting = null;
      throw e;
    });
    return this.connecting;
  }

  /** True once stored (or when dead-lettering is off); retries with back-off until `abandon()` says stop. */
  async store(letter: DeadLetter, abandon: () => boolean): Promise<boolean> {
    this.log.warn({ reason: letter.reason.code, detail: letter.reason.message, topic: letter.topic, partition: letter.partition, offset: String(letter.offset) }, 'dead-lettered');
    const topic = this.cfg.deadLetterTopic;
    if (!topic) return true;
    const headers: IHeaders = {
      ...letter.headers,
      [DEAD_LETTER_HEADERS.code]: letter.reason.code,
      [DEAD_LETTER_HEADERS.message]: letter.reason.message,
      [DEAD_LETTER_HEADERS.topic]: letter.topic,
      [DEAD_LETTER_HEADERS.partition]: String(letter.partition),
      [DEAD_LETTER_HEADERS.offset]: String(letter.offset),
    };
    for (let attempt = 0; !abandon(); attempt++) {
      try {
        const p = await this.connected();
        await p.send({ topic, acks: -1, messages: [{ value: letter.value, headers }] });
        return true;
      } catch (e) {
        this.log.warn({ err: (e as Error).message, topic, attempt }, 'dead letter not stored yet; retrying');
        const base = Math.min(this.cfg.reconnectMaxSeconds * 1000, 250 * 2 ** Math.min(attempt, 10));
        await new Promise((r) => setTimeout(r, base / 2 + Math.random() * (base / 2)));
      }
    }
    return false;
  }

  async close(): Promise<void> {
    await this.producer?.disconnect().catch(() => undefined);
    this.producer = null;
    this.connecting = null;
  }
}
