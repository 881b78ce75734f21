// The AMQP side (wire.md §11): Herald's own queue bound to each exchange x <topic>.<priority>,
// declaration flags from the deployment, ack only after the pushes are handed to the socket
// layer, dead-letter with a reason header (publisher-confirmed before the ack), reconnect with
// back-off across the transport_url's hosts, and an orderly stop (channel before connection).
import amqplib, { type Channel, type ChannelModel, type ConfirmChannel, type ConsumeMessage } from 'amqplib';
import type { CollectorConfig } from '../gateway/config.js';
import type { Logger } from '../gateway/log.js';
import { parseTransportUrl, type BrokerTarget } from './transport-url.js';
import { Acker } from './acker.js';

export type Verdict =
  | { kind: 'ack' }
  | { kind: 'dead-letter'; reason: string }
  /** Scale-out: publish these to the push exchange, ack once the broker confirmed them all. */
  | { kind: 'publish'; exchange: string; messages: Array<{ routingKey: string; body: Buffer }> };

/** Handles one delivery synchronously; the verdict is applied only after it returns. */
export type DeliveryHandler = (body: Buffer, headers: Record<string, unknown>) => Verdict;

export interface ConsumerEvents {
  /** After each (re)connection, before consuming starts (the push router sets up here). */
  onConnected(target: string, connection: ChannelModel): Promise<void>;
  onDeadLetter(reason: string): void;
}

export class Consumer {
  private readonly targets: BrokerTarget[];
  private connection: ChannelModel | null = null;
  private channel: ConfirmChannel | null = null;
  private acker: Acker | null = null;
  private consumerTag: string | null = null;
  private attempt = 0;
  private next = 0;
  private stopping = false;
  private timer: NodeJS.Timeout | null = null;
  consuming = false;

  constructor(
    private readonly cfg: CollectorConfig,
    private readonly handle: DeliveryHandler,
    private readonly log: Logger,
    private readonly events: ConsumerEvents,
  ) {
    this.targets = parseTransportUrl(cfg.transportUrl);
  }

  start(): void {
    void this.connect();
  }

  private schedule(): void {
    if (this.stopping || this.timer) return;
    const base = Math.min(this.cfg.reconnectMaxSeconds * 1000, 250 * 2 ** Math.min(this.attempt, 10));
    const delay = base / 2 + Math.random() * (base / 2);
    this.attempt++;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.connect();
    }, delay);
  }

  private async connect(): Promise<void> {
    if (this.stopping) return;
    const target = this.targets[this.next++ % this.targets.length]!;
    let conn: ChannelModel;
    try {
      conn = await amqplib.connect(target.options);
    } catch (e) {
      this.log.warn({ broker: target.label, err: (e as Error).message, attempt: this.attempt }, 'AMQP connect failed; retrying');
      this.schedule();
      return;
    }
    this.connection = conn;
    conn.on('error', (e: Error) => this.log.warn({ broker: target.label, err: e.message }, 'AMQP connection error'));
    conn.on('close', () => {
      if (this.connection !== conn) return;
      this.connection = null;
      this.channel = null;
      this.consuming = false;
      if (!this.stopping) {
        this.log.warn({ broker: target.label }, 'AMQP connection closed; reconnecting');
        this.schedule();
      }
    });
    try {
      await this.declare(conn);
      const ch = await conn.createConfirmChannel();
      ch.on('error', (e: Error) => this.log.warn({ err: e.message }, 'AMQP channel error'));
      await ch.prefetch(this.cfg.prefetch);
      this.channel = ch;
      this.acker = new Acker(ch);
      await this.events.onConnected(target.label, conn);
      const ok = await ch.consume(this.cfg.queue, (m) => this.onDelivery(ch, m), { noAck: false });
      this.consumerTag = ok.consumerTag;
      this.consuming = true;
      this.attempt = 0;
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
      verdict = this.handle(m.content, (m.properties.headers ?? {}) as Record<string, unknown>);
    } catch (e) {
      verdict = { kind: 'dead-letter', reason: `internal error: ${(e as Error).message}` };
    }
    const acker = this.acker!;
    if (verdict.kind === 'ack') {
      acker.ack(m);
      return;
    }
    if (verdict.kind === 'publish') {
      let pending = verdict.messages.length;
      let failed = false;
      if (!pending) return acker.ack(m);
      acker.hold(m);
      for (const out of verdict.messages) {
        ch.publish(verdict.exchange, out.routingKey, out.body, { contentType: 'application/json' }, (err) => {
          failed ||= !!err;
          if (--pending === 0) acker.release(m, !failed);
        });
      }
      return;
    }
    this.events.onDeadLetter(verdict.reason);
    if (!this.cfg.deadLetterExchange) return acker.ack(m);
    const headers = { ...(m.properties.headers ?? {}), 'x-herald-reason': verdict.reason, 'x-herald-exchange': m.fields.exchange, 'x-herald-routing-key': m.fields.routingKey };
    acker.hold(m);
    ch.publish(this.cfg.deadLetterExchange, m.fields.routingKey, m.content, { headers, contentType: m.properties.contentType, contentEncoding: m.properties.contentEncoding, persistent: true }, (err) => acker.release(m, !err));
  }

  /** Stop consuming, settle what was delivered, close the channel, then the connection. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearTimeout(this.timer);
    const ch = this.channel;
    const conn = this.connection;
    this.consuming = false;
    this.acker?.flush();
    if (ch && this.consumerTag) await ch.cancel(this.consumerTag).catch(() => undefined);
    this.acker?.flush();
    if (ch) {
      await ch.waitForConfirms().catch(() => undefined);
      await ch.close().catch(() => undefined);
    }
    this.connection = null;
    if (conn) await conn.close().catch(() => undefined);
  }
}
