// The RabbitMQ push bus (scale-out): pushes travel between gateway nodes through a topic exchange
// (`push_exchange`). Each node has an exclusive queue bound to `u.<id>` / `p.<id>` for exactly the
// users and projects it holds connections for; a binding goes when the last connection that
// needed it goes. Its own connection (reconnecting with back-off), so the notification source and
// the bus fail and recover independently. The only shared component is RabbitMQ.
import amqplib, { type ChannelModel, type ConfirmChannel, type ConsumeMessage, type Options } from 'amqplib';
import type { Logger } from '../../core/log.js';
import type { Readiness } from '../../core/readiness.js';
import { Reconnector } from '../../core/backoff.js';
import type { Audience, PushBus, PushBusHandlers, RoutedPush } from '../push-bus.js';
import { BindingCounts, keysOf, readRoutedPush, routedMessages } from './routing.js';

export interface BusTarget {
  options: Options.Connect;
  /** host:port, for logs (no credentials). */
  label: string;
}

export interface RabbitBusSettings {
  targets: readonly BusTarget[];
  exchange: string;
  reconnectMaxSeconds: number;
}

export class RabbitPushBus implements PushBus {
  readonly kind = 'rabbitmq';
  private handlers: PushBusHandlers | null = null;
  private connection: ChannelModel | null = null;
  private channel: ConfirmChannel | null = null;
  private queue: string | null = null;
  private readonly counts = new BindingCounts();
  /** Per-key chain of bind/unbind calls, so they reach the broker in order. */
  private readonly chains = new Map<string, Promise<void>>();
  private setups = 0;
  private stopping = false;
  private readonly reconnect: Reconnector<BusTarget>;
  private firstSetup: { resolve: () => void } | null = null;

  constructor(
    private readonly cfg: RabbitBusSettings,
    private readonly log: Logger,
  ) {
    this.reconnect = new Reconnector(cfg.targets, cfg.reconnectMaxSeconds, (target) => this.connect(target));
  }

  /** Resolves once the node's queue exists (pushes published from then on can reach it). */
  start(handlers: PushBusHandlers): Promise<void> {
    this.handlers = handlers;
    const ready = new Promise<void>((resolve) => (this.firstSetup = { resolve }));
    this.reconnect.start();
    return ready;
  }

  readiness(): Readiness {
    return this.queue ? { ready: true, why: `push queue ${this.queue}` } : { ready: false, why: 'push bus not connected' };
  }

  private async connect(target: BusTarget): Promise<void> {
    let conn: ChannelModel;
    try {
      // No Nagle: a push published to another node must not wait for the previous segment's ACK.
      conn = await amqplib.connect(target.options, { noDelay: true });
    } catch (e) {
      this.log.warn({ broker: target.label, err: (e as Error).message }, 'push bus connect failed; retrying');
      return this.reconnect.retry();
    }
    if (this.stopping) return void conn.close().catch(() => undefined);
    this.connection = conn;
    conn.on('error', (e: Error) => this.log.warn({ err: e.message }, 'push bus connection error'));
    conn.on('close', () => {
      if (this.connection !== conn) return;
      this.connection = null;
      this.channel = null;
      this.queue = null;
      if (!this.stopping) this.reconnect.retry();
    });
    try {
      await this.setup(conn);
      this.reconnect.connected();
    } catch (e) {
      this.log.error({ broker: target.label, err: (e as Error).message }, 'push bus setup failed; retrying');
      await conn.close().catch(() => undefined);
    }
  }

  /** On every (re)connection: the exchange, a fresh exclusive queue, every binding still needed. */
  private async setup(conn: ChannelModel): Promise<void> {
    const ch = await conn.createConfirmChannel();
    ch.on('error', (e: Error) => this.log.warn({ err: e.message }, 'push channel error'));
    await ch.assertExchange(this.cfg.exchange, 'topic', { durable: true });
    const q = await ch.assertQueue('', { exclusive: true, autoDelete: true });
    for (const key of this.counts.keys()) await ch.bindQueue(q.queue, this.cfg.exchange, key);
    await ch.consume(q.queue, (m) => this.onMessage(ch, m), { noAck: false });
    this.channel = ch;
    this.queue = q.queue;
    ch.on('close', () => {
      if (this.channel === ch) {
        this.channel = null;
        this.queue = null;
      }
    });
    // Pushes published while this node had no queue were lost for it.
    if (this.setups++ > 0) this.handlers?.interrupted('the push stream was interrupted (broker connection lost): reload');
    this.firstSetup?.resolve();
    this.firstSetup = null;
    this.log.info({ queue: q.queue, bindings: this.counts.keys().length }, 'push queue ready');
  }

  private onMessage(ch: ConfirmChannel, m: ConsumeMessage | null): void {
    if (!m) return;
    const p = readRoutedPush(m.content);
    if (p) this.handlers?.deliver(p);
    else this.log.error('unreadable push from the push exchange');
    ch.ack(m);
  }

  private change(key: string, bind: boolean): Promise<void> {
    const prev = this.chains.get(key) ?? Promise.resolve();
    const next = prev.then(async () => {
      const ch = this.channel;
      const q = this.queue;
      if (!ch || !q) return; // rebound by setup() after reconnecting
      try {
        if (bind) await ch.bindQueue(q, this.cfg.exchange, key);
        else await ch.unbindQueue(q, this.cfg.exchange, key);
      } catch (e) {
        this.log.warn({ key, bind, err: (e as Error).message }, 'push binding change failed');
      }
    });
    this.chains.set(key, next);
    void next.then(() => {
      if (this.chains.get(key) === next) this.chains.delete(key);
    });
    return next;
  }

  async hold(audience: Audience): Promise<() => void> {
    const keys = keysOf(audience.users, audience.projects);
    const fresh = new Set(this.counts.hold(keys));
    await Promise.all(keys.map((k) => (fresh.has(k) ? this.change(k, true) : (this.chains.get(k) ?? Promise.resolve()))));
    let released = false;
    return () => {
      if (released) return;
      released = true;
      for (const k of this.counts.release(keys)) void this.change(k, false);
    };
  }

  publish(pushes: readonly RoutedPush[]): Promise<void> {
    const ch = this.channel;
    if (!ch) return Promise.reject(new Error('push bus not connected'));
    const messages = pushes.flatMap(routedMessages);
    if (!messages.length) return Promise.resolve();
    return new Promise((resolve, reject) => {
      let pending = messages.length;
      let failed: Error | null = null;
      for (const out of messages) {
        try {
          ch.publish(this.cfg.exchange, out.routingKey, out.body, { contentType: 'application/json' }, (err) => {
            if (err) failed ??= err instanceof Error ? err : new Error(String(err));
            if (--pending === 0) (failed ? reject(failed) : resolve());
          });
        } catch (e) {
          return reject(e as Error);
        }
      }
    });
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.reconnect.stop();
    const ch = this.channel;
    const conn = this.connection;
    this.connection = null;
    this.channel = null;
    this.queue = null;
    if (ch) await ch.close().catch(() => undefined);
    if (conn) await conn.close().catch(() => undefined);
  }
}
