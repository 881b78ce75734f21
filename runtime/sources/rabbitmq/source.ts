// The RabbitMQ source (wire.md §11): Herald's own queue bound to each exchange x <topic>.<priority>,
// declaration flags from the deployment, ack only after the verdict (pushes handed to the socket
// layer, or published to the push bus and confirmed), dead-letter with a reason header
// (publisher-confirmed before the ack), reconnect with back-off across the transport_url's
// hosts, and an orderly stop (channel before connection).
import amqplib, { type Channel, type ChannelModel, type ConfirmChannel, type ConsumeMessage } from 'amqplib';
import type { Logger } from '../../core/log.js';
import type { Readiness } from '../../core/readiness.js';
import { Reconnector } from '../../core/backoff.js';
import type { DeliveryHandler, NotificationSource, Reason, SourceEvents, Verdict } from '../source.js';
import type { BrokerTarget } from './transport-url.js';
import { Acker } from './acker.js';

export interface RabbitSettings {
  targets: BrokerTarget[];
  exchanges: string[];
  topics: string[];
  priorities: string[];
  queue: string;
  deadLetterExchange: string;
  durableQueues: boolean;
  quorumQueue: boolean;
  autoDelete: boolean;
  prefetch: number;
  reconnectMaxSeconds: number;
}

export class RabbitSource implements NotificationSource {
  readonly kind = 'rabbitmq';
  private handle: DeliveryHandler | null = null;
  private connection: ChannelModel | null = null;
  private channel: ConfirmChannel | null = null;
  private acker: Acker<ConsumeMessage> | null = null;
  private consumerTag: string | null = null;
  private stopping = false;
  private readonly reconnect: Reconnector<BrokerTarget>;
  private consuming = false;
  /** Deliveries whose verdict is still pending (scale-out publishes): stop() waits for them. */
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly cfg: RabbitSettings,
    private readonly log: Logger,
    private readonly events: SourceEvents,
  ) {
    this.reconnect = new Reconnector(cfg.targets, cfg.reconnectMaxSeconds, (target) => this.connect(target));
  }

  start(handler: DeliveryHandler): void {
    this.handle = handler;
    this.reconnect.start();
  }

  readiness(): Readiness {
    return this.consuming ? { ready: true, why: `consuming ${this.cfg.queue}` } : { ready: false, why: 'not consuming from the broker' };
  }

  private async connect(target: BrokerTarget): Promise<void> {
    let conn: ChannelModel;
    try {
      // No Nagle: an ack or a small delivery must not wait for the previous segment's ACK.
      conn = await amqplib.connect(target.options, { noDelay: true });
    } catch (e) {
      this.log.warn({ broker: target.label, err: (e as Error).message, attempt: this.reconnect.attempts }, 'AMQP connect failed; retrying');
      return this.reconnect.retry();
    }
    if (this.stopping) return void conn.close().catch(() => undefined);
    this.connection = conn;
    conn.on('error', (e: Error) => this.log.warn({ broker: target.label, err: e.message }, 'AMQP connection error'));
    conn.on('close', () => {
      if (this.connection !== conn) return;
      this.connection = null;
      this.channel = null;
      this.consuming = false;
      if (!this.stopping) {
        this.log.warn({ broker: target.label }, 'AMQP connection closed; reconnecting');
        this.reconnect.retry();
      }
    });
    try {
      await this.declare(conn);
      const ch = await conn.createConfirmChannel();
      ch.on('error', (e: Error) => this.log.warn({ err: e.message }, 'AMQP channel error'));
      await ch.prefetch(this.cfg.prefetch);
      this.channel = ch;
      this.acker = new Acker<ConsumeMessage>(ch);
      const ok = await ch.consume(this.cfg.queue, (m) => this.onDelivery(ch, m), { noAck: false });
      this.consumerTag = ok.consumerTag;
      this.consuming = true;
      this.reconnect.connected();
      this.events.connected();
      this.log.info({ broker: target.label, queue: this.cfg.queue, exchanges: this.cfg.exchanges }, 'consuming');
    } catch (e) {
      this.log.error({ broker: target.label, err: (e as Error).message }, 'AMQP topology or consume failed; retrying');
      await conn.close().catch(() => undefined);
    }
  }

  /** An exchange is declared only when missing, so a deployment's own flags are never contradicted. */
  private async ensureExchange(conn: ChannelModel, name: string): Promise<void> {
    const probe: Channel = await conn.createChannel();
    probe.on('error', () => undefined);
    try {
      await probe.checkExchange(name);
      await probe.close();
      return;
    } catch {
      // 404: the channel is closed by the broker; declare on a fresh one
    }
    const ch = await conn.createChannel();
    await ch.assertExchange(name, 'topic', { durable: this.cfg.durableQueues || this.cfg.quorumQueue, autoDelete: this.cfg.autoDelete });
    await ch.close();
  }

  private async declare(conn: ChannelModel): Promise<void> {
    for (const ex of this.cfg.exchanges) await this.ensureExchange(conn, ex);
    const ch = await conn.createChannel();
    const durable = this.cfg.durableQueues || this.cfg.quorumQueue;
    await ch.assertQueue(this.cfg.queue, { durable, autoDelete: false, arguments: this.cfg.quorumQueue ? { 'x-queue-type': 'quorum' } : {} });
    for (const ex of this.cfg.exchanges) for (const topic of this.cfg.topics) for (const p of this.cfg.priorities) await ch.bindQueue(this.cfg.queue, ex, `${topic}.${p}`);
    if (this.cfg.deadLetterExchange) {
      await ch.assertExchange(this.cfg.deadLetterExchange, 'fanout', { durable: true });
      // On a cluster a classic queue lives on one node: while that node is down its declaration
      // fails (404 home node down) and Herald could not consume at all. Quorum like Herald's queue.
      await ch.assertQueue(this.cfg.deadLetterExchange, { durable: true, arguments: this.cfg.quorumQueue ? { 'x-queue-type': 'quorum' } : {} });
      await ch.bindQueue(this.cfg.deadLetterExchange, this.cfg.deadLetterExchange, '');
    }
    await ch.close();
  }

  private onDelivery(ch: ConfirmChannel, m: ConsumeMessage | null): void {
    if (!m) {
      // Cancelled by the broker (queue deleted): start over.
      this.log.warn('consumer cancelled by the broker; reconnecting');
      void this.connection?.close().catch(() => undefined);
      return;
    }
    if (this.stopping) {
      // Never handed to the socket layer: give it back.
      ch.nack(m, false, true);
      return;
    }
    let verdict: Verdict;
    try {
      verdict = this.handle!({ body: m.content, headers: (m.properties.headers ?? {}) as Record<string, unknown>, redeliveryKey: null });
    } catch (e) {
      verdict = { kind: 'dead-letter', reason: { code: 'internal_error', message: `internal error: ${(e as Error).message}` } };
    }
    const acker = this.acker!;
    if (verdict.kind === 'pending') {
      acker.hold(m);
      const done = verdict.settled.then(
        (v) => (v.kind === 'dead-letter' ? this.deadLetter(ch, acker, m, v.reason, true) : acker.release(m, v.kind !== 'pending')),
        () => acker.release(m, false),
      );
      this.pending.add(done);
      void done.finally(() => this.pending.delete(done));
      return;
    }
    if (verdict.kind === 'dead-letter') return this.deadLetter(ch, acker, m, verdict.reason, false);
    acker.ack(m);
  }

  private deadLetter(ch: ConfirmChannel, acker: Acker<ConsumeMessage>, m: ConsumeMessage, reason: Reason, held: boolean): void {
    this.events.deadLettered(reason);
    if (!this.cfg.deadLetterExchange) return held ? acker.release(m, true) : acker.ack(m);
    const headers = {
      ...(m.properties.headers ?? {}),
      'x-herald-reason': reason.message,
      'x-herald-reason-code': reason.code,
      'x-herald-exchange': m.fields.exchange,
      'x-herald-routing-key': m.fields.routingKey,
    };
    if (!held) acker.hold(m);
    try {
      ch.publish(this.cfg.deadLetterExchange, m.fields.routingKey, m.content, { headers, contentType: m.properties.contentType, contentEncoding: m.properties.contentEncoding, persistent: true }, (err) => acker.release(m, !err));
    } catch {
      acker.release(m, false);
    }
  }

  /** Stop consuming, settle what was delivered, close the channel, then the connection. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.reconnect.stop();
    const ch = this.channel;
    const conn = this.connection;
    this.consuming = false;
    this.acker?.flush();
    if (ch && this.consumerTag) await ch.cancel(this.consumerTag).catch(() => undefined);
    await Promise.all([...this.pending]);
    this.acker?.flush();
    if (ch) {
      await ch.waitForConfirms().catch(() => undefined);
      await ch.close().catch(() => undefined);
    }
    this.connection = null;
    if (conn) await conn.close().catch(() => undefined);
  }
}
