// The transport seam (style.md "sources"): a notification source brings bodies from somewhere
// (RabbitMQ, Kafka, HTTP ingest) and applies the verdict the gateway gives each one: acknowledge
// or commit it, dead-letter it with a coded reason, or drop it. A source knows nothing of
// decoding, hubs or sockets; the gateway knows nothing of the transport.
import type { Logger } from '../core/log.js';
import type { Readiness } from '../core/readiness.js';

export type { Readiness };

/** Why a notification was not handed over: the dead-letter header, the metric label, the log field. */
export type ReasonCode =
  | 'not_utf8'
  | 'not_json'
  | 'too_deep'
  | 'too_big'
  | 'bad_compression'
  | 'bad_envelope'
  | 'no_event_type'
  | 'decode_error'
  | 'unknown_priority'
  | 'ignored_priority'
  | 'no_definition'
  | 'duplicate'
  | 'internal_error';

export interface Reason {
  code: ReasonCode;
  /** Words for a person (dead-letter header, log, HTTP answer); never parsed by code. */
  message: string;
}

export interface Delivery {
  body: Uint8Array;
  /** Transport headers as received (AMQP headers, Kafka record headers); `compression` is honoured. */
  headers: Readonly<Record<string, unknown>>;
  /**
   * A key that stays the same when the transport delivers this very record again (Kafka:
   * `topic/partition/offset`), so a redelivery after a crash or rebalance is recognised; null when
   * the transport has none (RabbitMQ relies on oslo's `_unique_id` in the body).
   */
  redeliveryKey: string | null;
}

export type Verdict =
  /** Its pushes (possibly none) are in the socket layer's hands: acknowledge or commit it. */
  | { kind: 'handed-over'; messageId: string | null; pushes: number }
  /** Nothing to do and nothing wrong with it (unknown priority, no definition, duplicate): acknowledge. */
  | { kind: 'dropped'; reason: Reason }
  /** Cannot be decoded: keep it aside with the reason, acknowledge only once it is kept. */
  | { kind: 'dead-letter'; reason: Reason }
  /** Settles later (scale-out publishes the pushes to the push bus first): acknowledge only then. */
  | { kind: 'pending'; settled: Promise<Verdict> };

/** Called once per delivery, synchronously; the source applies the verdict afterwards. */
export type DeliveryHandler = (delivery: Delivery) => Verdict;

/** What a source reports to the gateway (metrics are labelled with `source` = the source's kind). */
export interface SourceEvents {
  /** A (re)connection to the broker was made and consuming started. */
  connected(): void;
  /** A dead letter was stored (or, with dead-lettering off, discarded). */
  deadLettered(reason: Reason): void;
}

export interface SourceContext {
  log: Logger;
  events: SourceEvents;
}

export interface NotificationSource {
  /** `rabbitmq`, `kafka`, `http`: the `source` label of every metric about it. */
  readonly kind: string;
  start(handler: DeliveryHandler): void;
  /** Stop taking new deliveries, settle what was delivered, then disconnect. */
  stop(): Promise<void>;
  readiness(): Readiness;
}
