// Scale-out with Kafka as the only broker: pushes travel over one push topic. Kafka has no
// per-key subscriptions (no bindings that follow connections), so every node reads every push
// with a consumer group of its own and keeps those addressed to users and projects it holds; a
// push is published with acks from every in-sync replica before the notification is committed.
import { randomUUID } from 'node:crypto';
import type { Consumer, Kafka, Producer } from 'kafkajs';
import type { Audience, PushBus, PushBusHandlers, RoutedPush } from '../../bus/push-bus.js';
import type { Readiness, SourceContext } from '../source.js';
import type { KafkaConfig } from './options.js';
import { makeClient } from './client.js';

export class KafkaPushBus implements PushBus {
  readonly kind = 'kafka';
  private readonly client: Kafka;
  private readonly node = randomUUID();
  private readonly users = new Map<string, number>();
  private readonly projects = new Map<string, number>();
  private producer: Producer | null = null;
  private consumer: Consumer | null = null;
  private handlers: PushBusHandlers | null = null;
  private joined = false;
  private stopping = false;

  constructor(
    private readonly cfg: KafkaConfig,
    private readonly ctx: SourceContext,
  ) {
    this.client = makeClient(cfg, `herald-push-${this.node}`, ctx.log);
  }

  /** Resolves once the push consumer is positioned (at the topic's end: earlier pushes are not for this node). */
  async start(handlers: PushBusHandlers): Promise<void> {
    this.handlers = handlers;
    const producer = this.client.producer({ allowAutoTopicCreation: true });
    await producer.connect();
    this.producer = producer;
    const consumer = this.client.consumer({ groupId: `herald-push-${this.node}`, allowAutoTopicCreation: true, maxWaitTimeInMs: 100, sessionTimeout: 10_000, heartbeatInterval: 1_000 });
    this.consumer = consumer;
    let firstJoin = true;
    const positioned = new Promise<void>((resolve) => {
      consumer.on(consumer.events.FETCH, () => {
        if (this.joined) resolve();
      });
    });
    consumer.on(consumer.events.GROUP_JOIN, () => {
      this.joined = true;
      // A rejoin resumes from this node's committed offset: pushes are late, not lost; the hub still warns.
      if (!firstJoin) this.handlers?.interrupted('the push topic consumer rejoined');
      firstJoin = false;
    });
    consumer.on(consumer.events.CRASH, (e) => {
      this.joined = false;
      this.ctx.log.warn({ err: e.payload.error.message, restart: e.payload.restart }, 'Kafka push consumer crashed');
      if (!e.payload.restart && !this.stopping) this.handlers?.interrupted('the push topic consumer stopped');
    });
    await consumer.connect();
    await consumer.subscribe({ topics: [this.cfg.pushTopic], fromBeginning: false });
    await consumer.run({ autoCommit: true, eachBatch: async ({ batch }) => this.onPushes(batch.messages.map((m) => m.value)) });
    await positioned;
  }

  private onPushes(values: Array<Buffer | null>): void {
    for (const v of values) {
      if (!v) continue;
      let push: RoutedPush;
      try {
        push = JSON.parse(v.toString('utf8')) as RoutedPush;
      } catch {
        this.ctx.log.warn('a push on the push topic is not JSON; skipped');
        continue;
      }
      const users = push.users.filter((u) => this.users.has(u));
      const projects = push.projects.filter((p) => this.projects.has(p));
      if (users.length || projects.length) this.handlers!.deliver({ ...push, users, projects });
    }
  }

  async hold(audience: Audience): Promise<() => void> {
    for (const u of audience.users) this.users.set(u, (this.users.get(u) ?? 0) + 1);
    for (const p of audience.projects) this.projects.set(p, (this.projects.get(p) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      for (const u of audience.users) drop(this.users, u);
      for (const p of audience.projects) drop(this.projects, p);
    };
  }

  async publish(pushes: readonly RoutedPush[]): Promise<void> {
    if (!pushes.length) return;
    if (!this.producer) throw new Error('the push bus is not started');
    // One partition keeps every node's pushes in publish order (a push may address many users, so no key orders them).
    await this.producer.send({ topic: this.cfg.pushTopic, acks: -1, messages: pushes.map((p) => ({ partition: 0, value: JSON.stringify(p) })) });
  }

  readiness(): Readiness {
    return this.joined ? { ready: true, why: `push topic ${this.cfg.pushTopic}` } : { ready: false, why: 'not consuming the push topic' };
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.joined = false;
    await this.consumer?.disconnect().catch(() => undefined);
    await this.producer?.disconnect().catch(() => undefined);
  }
}

function drop(counts: Map<string, number>, key: string): void {
  const n = (counts.get(key) ?? 0) - 1;
  if (n <= 0) counts.delete(key);
  else counts.set(key, n);
}
