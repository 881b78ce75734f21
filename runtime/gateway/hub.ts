// Who is connected and what each user has been sent: per-user `seq` within this process's
// `epoch`, the replay buffer, project membership, and fan-out to every connection of a user.
// No I/O here: the server gives it connections with a `send`, so it is testable on its own.
import { randomUUID } from 'node:crypto';

export interface Connection {
  readonly user: string;
  /** Hands a frame to the socket layer. */
  send(frame: string): void;
}

interface Held {
  seq: number;
  frame: string;
  at: number;
}

interface UserState {
  seq: number;
  history: Held[];
  connections: Set<Connection>;
  projects: Set<string>;
  /** Last connect, disconnect or push: state idle longer than replay_seconds is forgotten. */
  touched: number;
}

export interface HubLimits {
  replaySize: number;
  replaySeconds: number;
  /**
   * Scale-out: a user's bindings go with their last connection here, so pushes after that never
   * reach this node; their history is dropped then, and a later resume gets `reset`.
   */
  forgetOnLastDetach?: boolean;
}

export type ResumeOutcome = { kind: 'resumed'; frames: string[] } | { kind: 'reset'; reason: string };

export interface HubStats {
  /** Frames handed to connections (the gateway turns this into a metric). */
  frames: number;
}

export class Hub {
  readonly epoch: string;
  private readonly users = new Map<string, UserState>();
  private readonly members = new Map<string, Set<string>>();
  readonly stats: HubStats = { frames: 0 };

  constructor(
    private readonly limits: HubLimits,
    private readonly now: () => number = Date.now,
    epoch: string = randomUUID(),
  ) {
    this.epoch = epoch;
  }

  private state(user: string): UserState {
    let s = this.users.get(user);
    if (!s) {
      s = { seq: 0, history: [], connections: new Set(), projects: new Set(), touched: this.now() };
      this.users.set(user, s);
    }
    return s;
  }

  connectionCount(user: string): number {
    return this.users.get(user)?.connections.size ?? 0;
  }

  /** The user's current seq (what `ready` reports). */
  seqOf(user: string): number {
    return this.users.get(user)?.seq ?? 0;
  }

  /** Registers a connection; its user now hears the projects of its credentials. */
  attach(c: Connection, projects: readonly string[]): void {
    const s = this.state(c.user);
    s.connections.add(c);
    s.touched = this.now();
    for (const p of projects) {
      s.projects.add(p);
      let m = this.members.get(p);
      if (!m) this.members.set(p, (m = new Set()));
      m.add(c.user);
    }
  }

  detach(c: Connection): void {
    const s = this.users.get(c.user);
    if (!s) return;
    s.connections.delete(c);
    s.touched = this.now();
    if (this.limits.forgetOnLastDetach && !s.connections.size) this.forget(c.user, s);
  }

  private forget(user: string, s: UserState): void {
    this.users.delete(user);
    for (const p of s.projects) {
      const m = this.members.get(p);
      m?.delete(user);
      if (m && !m.size) this.members.delete(p);
    }
  }

  /**
   * The push stream was interrupted (scale-out queue lost): every connected user may have missed
   * pushes, so each connection is told `reset` and held history is dropped.
   */
  interrupt(reason: string): void {
    const frame = JSON.stringify({ type: 'reset', reason });
    for (const s of this.users.values()) {
      s.history.length = 0;
      for (const c of s.connections) c.send(frame);
    }
  }

  /**
   * What a client resuming from (epoch, seq) is missing: the held frames after seq, or a reset
   * when the epoch differs or any of them is gone.
   */
  resume(user: string, epoch: string, seq: number): ResumeOutcome {
    if (epoch !== this.epoch) return { kind: 'reset', reason: 'epoch changed (the node restarted or the user moved): reload' };
    const s = this.users.get(user);
    const current = s?.seq ?? 0;
    if (!Number.isSafeInteger(seq) || seq < 0 || seq > current) return { kind: 'reset', reason: `seq ${seq} is not one this node sent` };
    if (seq === current) return { kind: 'resumed', frames: [] };
    this.expire(s!);
    const held = s!.history;
    if (!held.length || held[0]!.seq > seq + 1) return { kind: 'reset', reason: `pushes after seq ${seq} are no longer held (replay_size ${this.limits.replaySize}, replay_seconds ${this.limits.replaySeconds})` };
    return { kind: 'resumed', frames: held.filter((h) => h.seq > seq).map((h) => h.frame) };
  }

  private expire(s: UserState): void {
    const oldest = this.now() - this.limits.replaySeconds * 1000;
    let drop = 0;
    while (drop < s.history.length && (s.history.length - drop > this.limits.replaySize || s.history[drop]!.at < oldest)) drop++;
    if (drop) s.history.splice(0, drop);
  }

  private pushTo(s: UserState, data: string): void {
    const seq = ++s.seq;
    const frame = `{"type":"push","seq":${seq},"data":${data}}`;
    const at = this.now();
    s.touched = at;
    s.history.push({ seq, frame, at });
    if (s.history.length > this.limits.replaySize) this.expire(s);
    for (const c of s.connections) {
      c.send(frame);
      this.stats.frames++;
    }
  }

  /**
   * One push to its users and to every user of its projects, once each. Users this node has no
   * state for (never connected here, or forgotten) are skipped: they start from a `ready`.
   */
  deliver(users: readonly string[], projects: readonly string[], data: string): void {
    if (!projects.length) {
      for (let i = 0; i < users.length; i++) {
        const u = users[i]!;
        if (users.indexOf(u) !== i) continue;
        const s = this.users.get(u);
        if (s) this.pushTo(s, data);
      }
      return;
    }
    const targets = new Set<string>();
    for (const u of users) if (this.users.has(u)) targets.add(u);
    for (const p of projects) for (const u of this.members.get(p) ?? []) targets.add(u);
    for (const u of targets) this.pushTo(this.users.get(u)!, data);
  }

  /** Forgets users with no connection whose state has been idle longer than replay_seconds. */
  sweep(): number {
    const oldest = this.now() - this.limits.replaySeconds * 1000;
    let forgotten = 0;
    for (const [user, s] of this.users) {
      if (s.connections.size || s.touched >= oldest) continue;
      this.forget(user, s);
      forgotten++;
    }
    return forgotten;
  }
}
