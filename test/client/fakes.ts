// Stand-ins for the browser around herald-client: a scripted WebSocket (the test plays the
// gateway's side), a manual clock, and an environment whose online/offline/visible events the
// test fires. Not a broker: only the page's own objects are imitated.
import type { Clock, Environment, EnvironmentEvents, SocketLike } from '../../client/src/index.js';

export class FakeSocket implements SocketLike {
  static made: FakeSocket[] = [];
  onopen: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onclose: ((ev: { code: number; reason: string }) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;
  readonly sent: Record<string, unknown>[] = [];
  /** The code the client closed with, or null while it has not. */
  closedByClient: number | null = null;

  constructor(
    readonly url: string,
    readonly protocol: string,
  ) {
    FakeSocket.made.push(this);
  }

  send(data: string): void {
    this.sent.push(JSON.parse(data) as Record<string, unknown>);
  }

  close(code = 1000): void {
    this.closedByClient = code;
  }

  // The gateway's side.
  open(): void {
    this.onopen?.({});
  }

  frame(o: object): void {
    this.onmessage?.({ data: JSON.stringify(o) });
  }

  serverClose(code: number, reason = ''): void {
    this.onclose?.({ code, reason });
  }
}

export class ManualClock implements Clock {
  private t = 0;
  private next = 1;
  private readonly timers = new Map<number, { at: number; fn: () => void }>();

  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.next++;
    this.timers.set(id, { at: this.t + ms, fn });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number);
  }

  now(): number {
    return this.t;
  }

  /** Moves time forward, running each timer that falls due, in order. */
  advance(ms: number): void {
    const until = this.t + ms;
    for (;;) {
      let first: [number, { at: number; fn: () => void }] | undefined;
      for (const e of this.timers) if (e[1].at <= until && (!first || e[1].at < first[1].at)) first = e;
      if (!first) break;
      this.timers.delete(first[0]);
      this.t = first[1].at;
      first[1].fn();
    }
    this.t = until;
  }
}

export class ScriptedEnvironment implements Environment {
  events: EnvironmentEvents | null = null;
  watch(events: EnvironmentEvents): () => void {
    this.events = events;
    return () => void (this.events = null);
  }
}

/** Lets the client's pending promise continuations (getToken) run. */
export const settle = (): Promise<void> => new Promise((r) => setImmediate(r));
