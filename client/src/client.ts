// One Herald connection that stays up: it authenticates with a token from the app, resumes from
// the last (epoch, seq) after any drop, delivers each push once and in order (a gap it cannot
// fill becomes `reset`), reconnects with capped exponential back-off and full jitter, and notices
// a half-open socket by its own ping/pong (websocket.md).
import { backoffDelay, type Backoff } from './backoff.js';
import { browserEnvironment } from './environment.js';
import { Emitter } from './emitter.js';
import type { Clock, Environment, PushData, PushMeta, SocketConstructor, SocketLike, State, StateChange } from './types.js';

export interface ClientOptions {
  /** ws:// or wss:// URL of the gateway's socket, e.g. wss://portal.example/ws. */
  url: string;
  /** A fresh token for the user: called at the first connect, after 4001/4003, near expiry and by refreshToken(). */
  getToken: () => Promise<string>;
  /** The WebSocket class; default globalThis.WebSocket (Node 20 has none: pass `ws`). */
  WebSocket?: SocketConstructor;
  backoff?: Backoff;
  /** Send a ping after this long without a frame (default 20 000 ms). */
  pingIntervalMs?: number;
  /** The connection is dead when nothing arrives this long after a ping or the open (default 10 000 ms). */
  pongTimeoutMs?: number;
  /** Consecutive refusals (4001 or 4003 with a fresh token, 4008) before giving up (default 4). */
  maxRefusals?: number;
  /** For tests: the source of jitter, the timers and the page's events. */
  random?: () => number;
  clock?: Clock;
  environment?: Environment;
}

export interface ClientEvents {
  push: (data: PushData, meta: PushMeta) => void;
  /** Pushes were missed (gateway restart, replay window passed, gap): reload the app's state. */
  reset: (reason: string) => void;
  state: (change: StateChange) => void;
}

type Route = (data: PushData, meta: PushMeta) => void;

interface Frame {
  type?: unknown;
  seq?: unknown;
  epoch?: unknown;
  user?: unknown;
  data?: unknown;
  rule?: unknown;
  reason?: unknown;
  message?: unknown;
}

/** Close codes after which retrying would repeat the same mistake. */
const FATAL = [1002, 1003, 1008, 1009, 4002];
const SYSTEM_CLOCK: Clock = { setTimeout: (fn, ms) => setTimeout(fn, ms), clearTimeout: (h) => clearTimeout(h as number), now: () => Date.now() };

/** The `exp` claim of a JWT in ms, or null when it has none or is not a JWT. */
function expiryOf(token: string): number | null {
  try {
    const claims = JSON.parse(atob(token.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/'))) as { exp?: unknown };
    return typeof claims.exp === 'number' ? claims.exp * 1000 : null;
  } catch {
    return null;
  }
}

export class HeraldClient extends Emitter<ClientEvents> {
  private current: State = 'idle';
  private at: { epoch: string | null; seq: number } = { epoch: null, seq: 0 };
  private user: string | null = null;
  private token: string | null = null;
  private sock: SocketLike | null = null;
  private generation = 0;
  private attempt = 0;
  private refusals = 0;
  private stopped = true;
  private offline = false;
  private lastError = '';
  private retryTimer: unknown = null;
  private liveTimer: unknown = null;
  private unwatch: (() => void) | null = null;
  private readonly routes = new Map<string, Set<Route>>();
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly Socket: SocketConstructor;

  constructor(private readonly opts: ClientOptions) {
    super();
    this.clock = opts.clock ?? SYSTEM_CLOCK;
    this.random = opts.random ?? Math.random;
    const Socket = opts.WebSocket ?? (globalThis as { WebSocket?: SocketConstructor }).WebSocket;
    if (!Socket) throw new Error('herald-client: no WebSocket here; pass options.WebSocket (in Node 20, the `ws` package)');
    this.Socket = Socket;
  }

  get state(): State {
    return this.current;
  }

  /** The stream's epoch (null before the first `ready` and after a reset). */
  get epoch(): string | null {
    return this.at.epoch;
  }

  /** The last push delivered (a reconnect resumes after it). */
  get seq(): number {
    return this.at.seq;
  }

  /** Starts (or restarts after close or giving up) the connection; resumes where the stream stood. */
  connect(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.attempt = this.refusals = 0;
    this.unwatch = (this.opts.environment ?? browserEnvironment()).watch({
      online: () => this.onOnline(),
      offline: () => this.onOffline(),
      visible: () => this.onVisible(),
    });
    void this.open();
  }

  /** Closes for good (until connect()); keeps the position, so a later connect() resumes. */
  close(): void {
    if (this.stopped) return;
    this.stop();
    this.drop(1000, 'closed by the app', false);
  }

  /** Fetches a new token now (the next connection uses it). */
  async refreshToken(): Promise<string> {
    return (this.token = await this.opts.getToken());
  }

  /** Calls `fn` for pushes whose data has this message_type and message_event ('*' matches any). */
  route(messageType: string, messageEvent: string, fn: Route): () => void {
    const key = messageType + '/' + messageEvent;
    const set = this.routes.get(key) ?? new Set<Route>();
    this.routes.set(key, set.add(fn));
    return () => void set.delete(fn);
  }

  private stop(): void {
    this.stopped = true;
    this.generation++;
    this.unwatch?.();
    this.unwatch = null;
    this.clock.clearTimeout(this.retryTimer);
  }

  private setState(change: StateChange): void {
    this.current = change.state;
    this.emit('state', change);
  }

  private async open(): Promise<void> {
    const generation = ++this.generation;
    this.setState({ state: 'connecting' });
    let token = this.token;
    const exp = token === null ? null : expiryOf(token);
    try {
      if (token === null || (exp !== null && exp < this.clock.now() + 5000)) token = await this.refreshToken();
    } catch (e) {
      if (generation === this.generation) this.closed(0, `getToken failed: ${(e as Error)?.message ?? String(e)}`);
      return;
    }
    if (generation !== this.generation) return;
    let sock: SocketLike;
    try {
      sock = this.sock = new this.Socket(this.opts.url, 'herald.v1');
    } catch (e) {
      // A malformed URL (or one the page may not connect to): retrying cannot help.
      this.stop();
      this.setState({ state: 'disconnected', code: 0, reason: String((e as Error)?.message ?? e), willRetry: false });
      return;
    }
    this.lastError = '';
    sock.onopen = () => {
      const resume = this.at.epoch === null ? undefined : { ...this.at };
      sock.send(JSON.stringify({ type: 'auth', token, resume }));
      this.expectFrame();
    };
    sock.onmessage = (m) => this.onFrame(String(m.data));
    sock.onclose = (e) => {
      if (this.sock === sock) this.closed(e.code, e.reason || this.lastError);
    };
    sock.onerror = () => undefined; // a close event follows
    this.expectFrame();
  }

  /** Leaves the socket (its late events are ignored) and reports it gone. */
  private drop(code: number, reason: string, retry = true): void {
    const sock = this.sock;
    this.sock = null;
    if (sock) {
      sock.onopen = sock.onmessage = sock.onclose = null;
      try {
        sock.close(1000);
      } catch {
        // already closing
      }
    }
    if (retry) this.closed(code, reason);
    else {
      this.clock.clearTimeout(this.liveTimer);
      this.setState({ state: 'disconnected', code, reason, willRetry: false });
    }
  }

  /** The socket is gone: decide whether and when to come back (websocket.md close codes). */
  private closed(code: number, reason: string): void {
    this.sock = null;
    this.clock.clearTimeout(this.liveTimer);
    if (this.stopped) return;
    const delay = this.plan(code);
    if (delay === null) {
      this.stop();
      this.setState({ state: 'disconnected', code, reason, willRetry: false });
      return;
    }
    this.setState({ state: 'disconnected', code, reason, willRetry: true, delayMs: this.offline ? undefined : delay });
    if (!this.offline) this.retryTimer = this.clock.setTimeout(() => void this.open(), delay);
  }

  /** The delay before the next attempt, or null to give up. */
  private plan(code: number): number | null {
    if (FATAL.includes(code)) return null;
    if (code === 4001 || code === 4003) this.token = null; // a fresh token before retrying
    // Refused again and again (before any `ready`): retrying will not help.
    if ((code === 4001 || code === 4003 || code === 4008) && ++this.refusals >= (this.opts.maxRefusals ?? 4)) return null;
    if (code === 4003) return backoffDelay(0, this.random, this.opts.backoff);
    // Too many connections: start the back-off higher, other tabs are not going away at once.
    return backoffDelay(this.attempt++ + (code === 4008 ? 3 : 0), this.random, this.opts.backoff);
  }

  private onFrame(text: string): void {
    let f: Frame;
    try {
      f = JSON.parse(text) as Frame;
    } catch {
      return;
    }
    this.schedulePing();
    if (f.type === 'push' && typeof f.seq === 'number') this.onPush(f.seq, f);
    else if (f.type === 'ready' && typeof f.epoch === 'string' && typeof f.seq === 'number') this.onReady(f.epoch, f.seq, String(f.user));
    else if (f.type === 'reset') this.reset(String(f.reason));
    else if (f.type === 'error') this.lastError = String(f.message);
  }

  private onPush(seq: number, f: Frame): void {
    if (this.epoch !== null) {
      if (seq <= this.seq) return; // already delivered (a replay overlapping what came live)
      if (seq > this.seq + 1) this.reset(`pushes ${this.seq + 1}..${seq - 1} never arrived`, true);
    }
    this.at.seq = seq;
    const data = (f.data ?? {}) as PushData;
    const meta: PushMeta = { seq, epoch: this.epoch, ...(typeof f.rule === 'string' ? { rule: f.rule } : {}) };
    this.emit('push', data, meta);
    const t = String(data.message_type);
    const e = String(data.message_event);
    for (const key of [`${t}/${e}`, `${t}/*`, `*/${e}`, '*/*']) for (const fn of this.routes.get(key) ?? []) fn(data, meta);
  }

  private onReady(epoch: string, seq: number, user: string): void {
    const known = this.epoch !== null;
    if (known && (epoch !== this.epoch || seq > this.seq)) this.reset(epoch !== this.epoch ? 'epoch changed' : `pushes ${this.seq + 1}..${seq} never arrived`);
    else if (this.user !== null && user !== this.user) this.reset(`user changed from ${this.user} to ${user}`);
    this.at.epoch = epoch;
    this.at.seq = seq;
    this.user = user;
    this.attempt = this.refusals = 0;
    this.setState({ state: 'connected' });
  }

  /** Tells the app to reload; `keep` leaves the position as is (a gap inside one epoch). */
  private reset(reason: string, keep = false): void {
    if (!keep) this.at.epoch = null;
    this.emit('reset', reason);
  }

  private schedulePing(): void {
    this.clock.clearTimeout(this.liveTimer);
    this.liveTimer = this.clock.setTimeout(() => {
      this.sock?.send('{"type":"ping"}');
      this.expectFrame();
    }, this.opts.pingIntervalMs ?? 20_000);
  }

  /** Nothing within pongTimeoutMs: the socket is half-open (or never opened); drop it. */
  private expectFrame(): void {
    const ms = this.opts.pongTimeoutMs ?? 10_000;
    this.clock.clearTimeout(this.liveTimer);
    this.liveTimer = this.clock.setTimeout(() => this.drop(1006, `no frame within ${ms} ms: connection presumed dead`), ms);
  }

  private onOffline(): void {
    this.offline = true;
    this.clock.clearTimeout(this.retryTimer);
    if (this.sock) this.drop(1006, 'the browser went offline');
  }

  private onOnline(): void {
    this.offline = false;
    if (!this.stopped && !this.sock && this.state !== 'connecting') this.retryNow();
  }

  /** Back in view: background tabs throttle timers, so check now instead of at the next ping. */
  private onVisible(): void {
    if (this.stopped || this.offline) return;
    if (this.state === 'connected' && this.sock) {
      this.sock.send('{"type":"ping"}');
      this.expectFrame();
    } else if (!this.sock && this.state === 'disconnected') this.retryNow();
  }

  private retryNow(): void {
    this.clock.clearTimeout(this.retryTimer);
    void this.open();
  }
}
