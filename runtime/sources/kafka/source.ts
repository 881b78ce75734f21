// The Kafka notification source (wire.md §8): Herald's own consumer group on the topics oslo's
// Kafka driver writes, raw record bytes to the gateway, at-least-once commits (an offset is
// committed only once every record before it has a settled verdict), dead letters to a topic
// (committed once the broker acknowledged them), and readiness that follows the consumer.
import type { Consumer, EachBatchPayload, IHeaders, KafkaMessage } from 'kafkajs';
import type { DeliveryHandler, NotificationSource, Readiness, Reason, SourceContext, Verdict } from '../source.js';
import type { KafkaConfig } from './options.js';
import { makeClient } from './client.js';
import { PartitionOffsets } from './offsets.js';
import { DeadLetters, type DeadLetter } from './dead-letters.js';

/** Fetches come back at least this often while consuming (maxWaitTime), so silence longer than this means trouble. */
const FETCH_WAIT_MS = 500;
const STALE_AFTER_MS = 15_000;
const COMMIT_EVERY_MS = 50;

interface Taken {
  topic: string;
  partition: number;
  offset: bigint;
  generation: number;
  offsets: PartitionOffsets;
}

export class KafkaSource implements NotificationSource {
  readonly kind = 'kafka';
  private readonly client;
  private readonly deadLetters: DeadLetters;
  private consumer: Consumer | null = null;
  private handler: DeliveryHandler | null = null;
  private readonly partitions = new Map<string, PartitionOffsets>();
  private readonly committed = new Map<string, bigint>();
  private generation = 0;
  private joined = false;
  /** Since the last join: the consumer knows its positions only after its first fetch. */
  private fetched = false;
  private lastFetch = 0;
  private stopping = false;
  private inFlight = 0;
  private drainWaiters: Array<() => void> = [];
  private commitTimer: NodeJS.Timeout | null = null;
  private commitRunning: Promise<void> = Promise.resolve();
  private retryTimer: NodeJS.Timeout | null = null;
  private attempt = 0;

  constructor(
    private readonly cfg: KafkaConfig,
    private readonly ctx: SourceContext,
  ) {
    this.client = makeClient(cfg, `herald-${cfg.group}`, ctx.log);
    this.deadLetters = new DeadLetters(this.client, cfg, ctx.log);
  }

  start(handler: DeliveryHandler): void {
    this.handler = handler;
    void this.run();
  }

  readiness(): Readiness {
    if (this.stopping) return { ready: false, why: 'stopping' };
    if (!this.joined || !this.fetched) return { ready: false, why: 'not consuming from Kafka (joining the group or reconnecting)' };
    if (Date.now() - this.lastFetch > STALE_AFTER_MS) return { ready: false, why: 'no fetch from Kafka lately (broker unreachable?)' };
    return { ready: true, why: `consuming ${this.cfg.topics.join(', ')} as group ${this.cfg.group}` };
  }

  /** Connects, subscribes and runs; a failure (or a crash kafkajs does not restart) retries with back-off. */
  private async run(): Promise<void> {
    if (this.stopping) return;
    const consumer = this.client.consumer({
      groupId: this.cfg.group,
      allowAutoTopicCreation: true,
      maxWaitTimeInMs: FETCH_WAIT_MS,
      sessionTimeout: 10_000,
      heartbeatInterval: 1_000,
      retry: { initialRetryTime: 250, maxRetryTime: this.cfg.reconnectMaxSeconds * 1000, retries: 8 },
    });
    this.consumer = consumer;
    this.watch(consumer);
    try {
      await consumer.connect();
      await consumer.subscribe({ topics: this.cfg.topics, fromBeginning: this.cfg.fromBeginning });
      await consumer.run({ autoCommit: false, eachBatchAutoResolve: false, eachBatch: (p) => this.onBatch(p) });
    } catch (e) {
      this.ctx.log.warn({ err: (e as Error).message, brokers: this.cfg.target.brokers, attempt: this.attempt }, 'Kafka connect failed; retrying');
      await consumer.disconnect().catch(() => undefined);
      this.retry();
    }
  }

  private retry(): void {
    if (this.stopping || this.retryTimer) return;
    const base = Math.min(this.cfg.reconnectMaxSeconds * 1000, 250 * 2 ** Math.min(this.attempt++, 10));
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.run();
    }, base / 2 + Math.random() * (base / 2));
  }

  private watch(consumer: Consumer): void {
    const { GROUP_JOIN, FETCH, CRASH, DISCONNECT, STOP } = consumer.events;
    consumer.on(GROUP_JOIN, (e) => {
      // A new generation: what was taken before is redelivered from the committed offsets.
      this.generation++;
      this.partitions.clear();
      this.joined = true;
      this.fetched = false;
      this.attempt = 0;
      this.ctx.events.connected();
      this.ctx.log.info({ group: this.cfg.group, member: e.payload.memberId, assigned: e.payload.memberAssignment }, 'consuming from Kafka');
    });
    consumer.on(FETCH, () => {
      this.lastFetch = Date.now();
      this.fetched = true;
    });
    consumer.on(CRASH, (e) => {
      this.joined = false;
      this.ctx.log.warn({ err: e.payload.error.message, restart: e.payload.restart }, 'Kafka consumer crashed');
      if (!e.payload.restart && this.consumer === consumer) {
        void consumer.disconnect().catch(() => undefined);
        this.retry();
      }
    });
    for (const ev of [DISCONNECT, STOP]) consumer.on(ev, () => void (this.joined = false));
  }

  private async onBatch({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> {
    const key = `${batch.topic}/${batch.partition}`;
    const generation = this.generation;
    let offsets = this.partitions.get(key);
    if (!offsets) this.partitions.set(key, (offsets = new PartitionOffsets()));
    // The fetch position moves past what was taken (once per batch: resolving is not free).
    let last: string | null = null;
    try {
      for (const m of batch.messages) {
        if (this.stopping || !isRunning() || isStale()) return;
        if (this.inFlight >= this.cfg.maxInFlight) {
          await heartbeat();
          await this.drained();
          if (this.stopping || !isRunning() || isStale() || generation !== this.generation) return;
        }
        this.take(m, { topic: batch.topic, partition: batch.partition, offset: BigInt(m.offset), generation, offsets });
        last = m.offset;
      }
    } finally {
      if (last !== null) resolveOffset(last);
    }
    await heartbeat();
  }

  private take(m: KafkaMessage, t: Taken): void {
    t.offsets.take(t.offset);
    this.inFlight++;
    let verdict: Verdict;
    try {
      verdict = this.handler!({ body: m.value ?? new Uint8Array(0), headers: headersOf(m.headers), redeliveryKey: `${t.topic}/${t.partition}/${t.offset}` });
    } catch (e) {
      verdict = { kind: 'dead-letter', reason: { code: 'internal_error', message: `internal error: ${(e as Error).message}` } };
    }
    this.apply(verdict, m, t);
  }

  private apply(verdict: Verdict, m: KafkaMessage, t: Taken): void {
    switch (verdict.kind) {
      case 'handed-over':
      case 'dropped':
        return this.settle(t);
      case 'dead-letter':
        return void this.deadLetter(verdict.reason, m, t);
      case 'pending':
        verdict.settled.then(
          (v) => this.apply(v, m, t),
          (e: Error) => this.unsettled(t, `its pushes were not taken by the push bus: ${e.message}`),
        );
    }
  }

  private async deadLetter(reason: Reason, m: KafkaMessage, t: Taken): Promise<void> {
    const letter: DeadLetter = { reason, value: m.value, headers: m.headers ?? {}, topic: t.topic, partition: t.partition, offset: t.offset };
    if (await this.deadLetters.store(letter, () => this.stopping || t.generation !== this.generation)) {
      this.ctx.events.deadLettered(reason);
      this.settle(t);
    } else this.unsettled(t, 'the dead letter was not stored');
  }

  /** Never committed: the record comes again after the next rebalance or restart. */
  private unsettled(t: Taken, why: string): void {
    this.ctx.log.warn({ topic: t.topic, partition: t.partition, offset: String(t.offset), why }, 'record left uncommitted');
    this.release();
  }

  private settle(t: Taken): void {
    this.release();
    if (t.generation !== this.generation) return;
    t.offsets.settle(t.offset);
    this.scheduleCommit();
  }

  private release(): void {
    this.inFlight--;
    if (this.inFlight < this.cfg.maxInFlight) for (const w of this.drainWaiters.splice(0)) w();
  }

  private drained(): Promise<void> {
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  private scheduleCommit(): void {
    if (this.commitTimer) return;
    this.commitTimer = setTimeout(() => {
      this.commitTimer = null;
      this.commitRunning = this.commitRunning.then(() => this.commit());
    }, COMMIT_EVERY_MS);
  }

  /** Commits every partition whose settled prefix moved; a failed commit is retried by the next one. */
  private async commit(): Promise<void> {
    const consumer = this.consumer;
    if (!consumer) return;
    const out: Array<{ topic: string; partition: number; offset: string }> = [];
    for (const [key, offsets] of this.partitions) {
      const next = offsets.committable();
      if (next === null || this.committed.get(key) === next) continue;
      const slash = key.lastIndexOf('/');
      out.push({ topic: key.slice(0, slash), partition: Number(key.slice(slash + 1)), offset: String(next) });
    }
    if (!out.length) return;
    try {
      await consumer.commitOffsets(out);
      for (const o of out) this.committed.set(`${o.topic}/${o.partition}`, BigInt(o.offset));
    } catch (e) {
      this.ctx.log.warn({ err: (e as Error).message }, 'Kafka offset commit failed; the records after the last commit may come again');
    }
  }

  /** Stop taking records, wait (bounded) for what was taken to settle, commit, disconnect. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    for (const w of this.drainWaiters.splice(0)) w();
    const until = Date.now() + 5_000;
    while (this.inFlight > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    if (this.commitTimer) clearTimeout(this.commitTimer);
    this.commitTimer = null;
    await this.commitRunning;
    await this.commit();
    this.joined = false;
    await this.consumer?.disconnect().catch(() => undefined);
    await this.deadLetters.close();
  }
}

/** Kafka record headers as strings (the gateway honours `compression`). */
function headersOf(h: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h ?? {})) if (v !== undefined) out[k] = Array.isArray(v) ? v.map(String).join(',') : String(v);
  return out;
}
