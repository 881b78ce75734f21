// Scale-out: pushes travel between gateway nodes through a topic exchange (`push_exchange`).
// Each node has an exclusive queue bound to `u.<id>` / `p.<id>` for exactly the users and
// projects it holds connections for (ids base64url-encoded, so `.`, `*` and `#` in an id stay
// literal); a binding goes when the last connection that needed it goes. The only shared
// component is RabbitMQ.
import type { Channel, ChannelModel, ConsumeMessage } from 'amqplib';
import type { Logger } from '../gateway/log.js';
import type { Push } from '../gateway/pipeline.js';
import { RecentIds } from '../gateway/wire.js';
import { randomUUID } from 'node:crypto';

export const userKey = (id: string): string => `u.${Buffer.from(id).toString('base64url')}`;
export const projectKey = (id: string): string => `p.${Buffer.from(id).toString('base64url')}`;

export interface RoutedPush {
  id: string;
  users: string[];
  projects: string[];
  data: string;
}

/** The messages one push becomes: one per address, the same id on each (receivers de-duplicate). */
export function routedMessages(p: Push): Array<{ routingKey: string; body: Buffer }> {
  const body = Buffer.from(JSON.stringify({ id: randomUUID(), users: p.users, projects: p.projects, data: p.data } satisfies RoutedPush));
  return [...new Set([...p.users.map(userKey), ...p.projects.map(projectKey)])].map((routingKey) => ({ routingKey, body }));
}

export interface RouterEvents {
  /** A push for this node, to hand to the hub. */
  deliver(p: RoutedPush): void;
  /** The node's queue was lost (connection drop): pushes may have been missed. */
  interrupted(): void;
}

export class PushRouter {
  private channel: Channel | null = null;
  private queue: string | null = null;
  private readonly counts = new Map<string, number>();
  /** Per-key chain of bind/unbind calls, so they reach the broker in order. */
  private readonly chains = new Map<string, Promise<void>>();
  private readonly seen = new RecentIds(65536);
  private setups = 0;

  constructor(
    private readonly exchange: string,
    private readonly log: Logger,
    private readonly events: RouterEvents,
  ) {}

  /** On every (re)connection: the exchange, a fresh exclusive queue, every binding still needed. */
  async setup(conn: ChannelModel): Promise<void> {
    const ch = await conn.createChannel();
    ch.on('error', (e: Error) => this.log.warn({ err: e.message }, 'push channel error'));
    await ch.assertExchange(this.exchange, 'topic', { durable: true });
    const q = await ch.assertQueue('', { exclusive: true, autoDelete: true });
    this.channel = ch;
    this.queue = q.queue;
    ch.on('close', () => {
      if (this.channel === ch) {
        this.channel = null;
        this.queue = null;
      }
    });
    for (const [key, n] of this.counts) if (n > 0) await ch.bindQueue(q.queue, this.exchange, key);
    await ch.consume(q.queue, (m) => this.onMessage(ch, m), { noAck: false });
    if (this.setups++ > 0) this.events.interrupted();
    this.log.info({ queue: q.queue, bindings: this.counts.size }, 'push queue ready');
  }

  private onMessage(ch: Channel, m: ConsumeMessage | null): void {
    if (!m) return;
    try {
      const p = JSON.parse(m.content.toString('utf8')) as RoutedPush;
      if (!this.seen.seen(p.id)) this.events.deliver(p);
    } catch (e) {
      this.log.error({ err: (e as Error).message }, 'unreadable push from the push exchange');
    }
    ch.ack(m);
  }

  private change(key: string, bind: boolean): Promise<void> {
    const prev = this.chains.get(key) ?? Promise.resolve();
    const next = prev.then(async () => {
      const ch = this.channel;
      const q = this.queue;
      if (!ch || !q) return; // rebound by setup() after reconnecting
      try {
        if (bind) await ch.bindQueue(q, this.exchange, key);
        else await ch.unbindQueue(q, this.exchange, key);
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

  /** A connection of `user` with `projects` arrived: bindings it needs exist when this resolves. */
  async hold(user: string, projects: readonly string[]): Promise<void> {
    const keys = [userKey(user), ...projects.map(projectKey)];
    const pending: Promise<void>[] = [];
    for (const k of keys) {
      const n = (this.counts.get(k) ?? 0) + 1;
      this.counts.set(k, n);
      pending.push(n === 1 ? this.change(k, true) : (this.chains.get(k) ?? Promise.resolve()));
    }
    await Promise.all(pending);
  }

  /** That connection went: bindings no connection needs any more are removed. */
  release(user: string, projects: readonly string[]): void {
    for (const k of [userKey(user), ...projects.map(projectKey)]) {
      const n = (this.counts.get(k) ?? 1) - 1;
      if (n > 0) this.counts.set(k, n);
      else {
        this.counts.delete(k);
        void this.change(k, false);
      }
    }
  }
}
