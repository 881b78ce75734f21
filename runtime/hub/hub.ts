// Who is connected and what each connection has been sent. Scope belongs to a connection, not to
// a user (centrifuge's hub keeps subscriptions per client): a connection hears its own user and
// exactly the projects its own credential carries.
//
// Gap detection per connection needs one numbering per audience, so pushes are counted per
// *stream*: one per (user, sorted set of projects). Tabs of one user with the same scope share a
// stream (the same push with the same seq on each, as before); tabs with different scopes have
// their own. A push to user u goes to every stream of u, a push to project p to every stream
// whose scope holds p, each stream at most once. A stream's `epoch` names it (node epoch + a
// counter), so a resume can only ever be answered from the stream that issued the seq.
// No I/O here: the server hands in connections with a `send`, so it is testable on its own.
import { randomUUID } from 'node:crypto';
import { RecentIds } from '../core/recent-ids.js';
import { pushFrameWith, pushTail, resetFrame } from '../protocol/frames.js';

export interface Connection {
  readonly user: string;
  /** Hands a frame to the socket layer. */
  send(frame: string): void;
}

/** One push as the hub receives it, from the pipeline or the push bus. */
export interface HubPush {
  /** Same on a redelivery or a second copy (RoutedPush.id): a repeat within `dedupeSize` is dropped; null: no way to tell. */
  id: string | null;
  users: readonly string[];
  projects: readonly string[];
  /** The frame's `data`, JSON text. */
  data: string;
  /** The transformer entry that made it (file:line:col), shown by the console; absent in production frames. */
  rule?: string;
}

/** A push a stream holds for resuming clients: its frame is rebuilt from the tail every stream shares. */
interface Held {
  seq: number;
  tail: string;
  at: number;
}

interface Stream {
  readonly key: string;
  readonly user: string;
  readonly projects: readonly string[];
  /** Its number on this node: the epoch is `<node epoch>.<serial>`, made when asked (a string per idle stream is ~70 bytes). */
  readonly serial: number;
  seq: number;
  /** Null until its first push: an idle stream holds no empty array. */
  history: Held[] | null;
  /** An array, not a Set: a stream has one connection or a few (tabs of one user and scope), and
   * a Set costs ~200 bytes more per stream, i.e. per idle connection. */
  connections: Connection[];
  /** Last connect, disconnect or push: a stream idle longer than replay_seconds is forgotten. */
  touched: number;
  /** The last push that reached it (each stream at most once per push). */
  lastPush: number;
}

export interface HubLimits {
  replaySize: number;
  replaySeconds: number;
  /** Push ids remembered to drop repeats (default 65,536). */
  dedupeSize?: number;
  /**
   * Scale-out: a stream's bindings go with its last connection here, so pushes after that never
   * reach this node; its history is dropped then, and a later resume gets `reset`.
   */
  forgetOnLastDetach?: boolean;
}

/** Where a connection stands in its stream: what `ready` reports. */
export interface Position {
  epoch: string;
  seq: number;
  projects: readonly string[];
}

export type ResumeOutcome = { kind: 'resumed'; frames: string[] } | { kind: 'reset'; reason: string };

export interface HubStats {
  /** Frames handed to connections (the gateway turns this into a metric). */
  frames: number;
  /** Pushes dropped because their id was delivered recently. */
  repeats: number;
}

/** Sorted, without duplicates or empty ids: the canonical scope. */
export function scopeOf(projects: readonly string[]): string[] {
  return [...new Set(projects.filter((p) => p !== ''))].sort();
}

function streamKey(user: string, scope: readonly string[]): string {
  return JSON.stringify([user, ...scope]);
}

function addTo<K, V>(index: Map<K, Set<V>>, key: K, value: V): void {
  let set = index.get(key);
  if (!set) index.set(key, (set = new Set()));
  set.add(value);
}

function removeFrom<K, V>(index: Map<K, Set<V>>, key: K, value: V): void {
  const set = index.get(key);
  if (!set) return;
  set.delete(value);
  if (!set.size) index.delete(key);
}

/** Removes one occurrence of `value`, if there is one. */
function removeItem<V>(list: V[], value: V): void {
  const at = list.indexOf(value);
  if (at >= 0) list.splice(at, 1);
}

/** The array twins of addTo/removeFrom, for short lists (a user's streams). */
function addToList<K, V>(index: Map<K, V[]>, key: K, value: V): void {
  const list = index.get(key);
  if (list) list.push(value);
  else index.set(key, [value]);
}

function removeFromList<K, V>(index: Map<K, V[]>, key: K, value: V): void {
  const list = index.get(key);
  if (!list) return;
  removeItem(list, value);
  if (!list.length) index.delete(key);
}

/** A stream's connections to send to: a copy when there are several, so a send that ended in a detach cannot skip the next one. */
function recipients(s: Stream): readonly Connection[] {
  return s.connections.length > 1 ? [...s.connections] : s.connections;
}

export class Hub {
  /** This process's epoch: every stream's epoch starts with it. */
  readonly epoch: string;
  readonly stats: HubStats = { frames: 0, repeats: 0 };
  private readonly streams = new Map<string, Stream>();
  /** A user's streams: one per scope in use, so an array (see `connections`). */
  private readonly byUser = new Map<string, Stream[]>();
  private readonly byProject = new Map<string, Set<Stream>>();
  private readonly streamOf = new Map<Connection, Stream>();
  private readonly recent: RecentIds;
  private created = 0;
  private pushes = 0;

  constructor(
    private readonly limits: HubLimits,
    private readonly now: () => number = Date.now,
    epoch: string = randomUUID(),
  ) {
    this.epoch = epoch;
    this.recent = new RecentIds(limits.dedupeSize ?? 65536);
  }

  private open(user: string, scope: readonly string[]): Stream {
    const key = streamKey(user, scope);
    let s = this.streams.get(key);
    if (s) return s;
    s = { key, user, projects: scope, serial: ++this.created, seq: 0, history: null, connections: [], touched: this.now(), lastPush: 0 };
    this.streams.set(key, s);
    addToList(this.byUser, user, s);
    for (const p of scope) addTo(this.byProject, p, s);
    return s;
  }

  private epochOf(s: Stream): string {
    return `${this.epoch}.${s.serial}`;
  }

  private forget(s: Stream): void {
    this.streams.delete(s.key);
    removeFromList(this.byUser, s.user, s);
    for (const p of s.projects) removeFrom(this.byProject, p, s);
  }

  connectionCount(user: string): number {
    let n = 0;
    for (const s of this.byUser.get(user) ?? []) n += s.connections.length;
    return n;
  }

  isAttached(c: Connection): boolean {
    return this.streamOf.has(c);
  }

  /** Streams held (with or without connections): for tests and metrics. */
  streamCount(): number {
    return this.streams.size;
  }

  /**
   * Registers a connection in the stream of its user and exactly these projects. A connection
   * already attached moves (a fresh credential with another scope): it hears only the new scope.
   */
  attach(c: Connection, projects: readonly string[]): Position {
    if (this.streamOf.has(c)) this.detach(c);
    const s = this.open(c.user, scopeOf(projects));
    // A literal for the first: an array grown by push reserves 17 slots.
    if (s.connections.length) s.connections.push(c);
    else s.connections = [c];
    s.touched = this.now();
    this.streamOf.set(c, s);
    return { epoch: this.epochOf(s), seq: s.seq, projects: s.projects };
  }

  detach(c: Connection): void {
    const s = this.streamOf.get(c);
    if (!s) return;
    this.streamOf.delete(c);
    removeItem(s.connections, c);
    s.touched = this.now();
    if (this.limits.forgetOnLastDetach && !s.connections.length) this.forget(s);
  }

  /**
   * What a client of `user` with this scope, resuming from (epoch, seq), is missing: the held
   * frames after seq, or a reset when the epoch is not this stream's (another node, a restart, a
   * forgotten stream, or a credential with another scope) or any of them is gone.
   */
  resume(user: string, projects: readonly string[], epoch: string, seq: number): ResumeOutcome {
    const s = this.streams.get(streamKey(user, scopeOf(projects)));
    if (!s || epoch !== this.epochOf(s)) return { kind: 'reset', reason: 'epoch changed (the node restarted, the user moved, or the credential carries other projects): reload' };
    if (!Number.isSafeInteger(seq) || seq < 0 || seq > s.seq) return { kind: 'reset', reason: `seq ${seq} is not one this node sent` };
    if (seq === s.seq) return { kind: 'resumed', frames: [] };
    this.expire(s);
    const held = s.history ?? [];
    if (!held.length || held[0]!.seq > seq + 1) return { kind: 'reset', reason: `pushes after seq ${seq} are no longer held (replay_size ${this.limits.replaySize}, replay_seconds ${this.limits.replaySeconds})` };
    return { kind: 'resumed', frames: held.filter((h) => h.seq > seq).map((h) => pushFrameWith(h.seq, h.tail)) };
  }

  private expire(s: Stream): void {
    const held = s.history;
    if (!held) return;
    const oldest = this.now() - this.limits.replaySeconds * 1000;
    let drop = 0;
    while (drop < held.length && (held.length - drop > this.limits.replaySize || held[drop]!.at < oldest)) drop++;
    if (drop) held.splice(0, drop);
  }

  private pushTo(s: Stream, tail: string, at: number): void {
    s.lastPush = this.pushes;
    const seq = ++s.seq;
    const frame = pushFrameWith(seq, tail);
    s.touched = at;
    if (s.history) s.history.push({ seq, tail, at });
    else s.history = [{ seq, tail, at }];
    if (s.history.length > this.limits.replaySize) this.expire(s);
    for (const c of recipients(s)) {
      c.send(frame);
      this.stats.frames++;
    }
  }

  private pushAll(streams: Iterable<Stream> | undefined, tail: string, at: number): void {
    if (!streams) return;
    for (const s of streams) if (s.lastPush !== this.pushes) this.pushTo(s, tail, at);
  }

  /**
   * One push to every stream of its users and every stream whose scope holds one of its
   * projects, once each. Streams this node does not hold (never connected here, or forgotten)
   * are not created: their clients start from a `ready`. False when the id was a repeat.
   */
  deliver(push: HubPush): boolean {
    if (push.id !== null && this.recent.seen(push.id)) {
      this.stats.repeats++;
      return false;
    }
    this.pushes++;
    const tail = pushTail(push.data, push.rule);
    const at = this.now();
    for (const u of push.users) this.pushAll(this.byUser.get(u), tail, at);
    for (const p of push.projects) this.pushAll(this.byProject.get(p), tail, at);
    return true;
  }

  /**
   * The push stream was interrupted (scale-out queue lost): every connection may have missed
   * pushes, so each is told `reset` and held history is dropped.
   */
  interrupt(reason: string): void {
    const frame = resetFrame(reason);
    for (const s of this.streams.values()) {
      s.history = null;
      for (const c of recipients(s)) c.send(frame);
    }
  }

  /** Forgets streams with no connection that have been idle longer than replay_seconds. */
  sweep(): number {
    const oldest = this.now() - this.limits.replaySeconds * 1000;
    let forgotten = 0;
    for (const s of [...this.streams.values()]) {
      if (s.connections.length || s.touched >= oldest) continue;
      this.forget(s);
      forgotten++;
    }
    return forgotten;
  }
}
