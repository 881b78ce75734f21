// Revocation: every interval, each distinct token with open sockets is asked about ONCE (however
// many sockets hold it). Refused → every holder ends with auth_failed. Keystone unanswering →
// holders keep going until the token's last good answer runs out (a blip never disconnects all).
import type { AuthFailure } from '../authenticator.js';
import type { Validation } from './api.js';

export interface WatchedToken {
  token: string;
  listeners: Set<(failure: AuthFailure) => void>;
  /** Until when the last good answer vouches for it (ms). */
  validUntil: number;
  expiresAt: number;
}

export interface WatcherDeps {
  intervalMs: number;
  /** How long a good answer vouches for a token. */
  cacheMs: number;
  /** Parallel revalidation requests. */
  workers: number;
  check(key: string, token: string): Promise<Validation>;
  onChange(watched: number): void;
  onRevoked(): void;
  /** ms since the epoch (tests move it). */
  clock(): number;
}

export class Watcher {
  private readonly tokens = new Map<string, WatchedToken>();
  private readonly timer: NodeJS.Timeout;
  private running = false;

  constructor(private readonly deps: WatcherDeps) {
    this.timer = setInterval(() => void this.tick(), deps.intervalMs);
    this.timer.unref();
  }

  watch(key: string, token: string, validUntil: number, expiresAt: number, onEnd: (f: AuthFailure) => void): () => void {
    let entry = this.tokens.get(key);
    if (!entry) {
      entry = { token, listeners: new Set(), validUntil, expiresAt };
      this.tokens.set(key, entry);
      this.deps.onChange(this.tokens.size);
    }
    // A distinct function per socket, so one socket's unwatch never removes another's.
    const listener = (f: AuthFailure) => onEnd(f);
    entry.listeners.add(listener);
    const held = entry;
    return () => {
      held.listeners.delete(listener);
      if (held.listeners.size === 0 && this.tokens.get(key) === held) {
        this.tokens.delete(key);
        this.deps.onChange(this.tokens.size);
      }
    };
  }

  /** One pass over the watched tokens; a pass still running makes the next tick a no-op. */
  async tick(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      const queue = [...this.tokens.entries()];
      const worker = async () => {
        for (let next = queue.shift(); next; next = queue.shift()) await this.revalidate(next[0], next[1]);
      };
      await Promise.all(Array.from({ length: Math.max(1, this.deps.workers) }, worker));
    } finally {
      this.running = false;
    }
  }

  private async revalidate(key: string, entry: WatchedToken): Promise<void> {
    if (this.deps.clock() >= entry.expiresAt) return this.end(key, entry, { ok: false, code: 'token_expired', message: 'token expired' });
    const v = await this.deps.check(key, entry.token);
    if (this.tokens.get(key) !== entry) return;
    const now = this.deps.clock();
    if (v.kind === 'valid') {
      entry.expiresAt = v.facts.expiresAt;
      entry.validUntil = Math.min(v.facts.expiresAt, now + this.deps.cacheMs);
    } else if (v.kind === 'refused') {
      this.deps.onRevoked();
      this.end(key, entry, { ok: false, code: 'auth_failed', message: 'token revoked, or its user disabled or deleted' });
    } else if (now >= entry.validUntil) {
      this.end(key, entry, { ok: false, code: 'auth_unavailable', message: 'Keystone cannot confirm the token any longer; reconnect later' });
    }
  }

  private end(key: string, entry: WatchedToken, failure: AuthFailure): void {
    this.tokens.delete(key);
    this.deps.onChange(this.tokens.size);
    for (const listener of entry.listeners) listener(failure);
    entry.listeners.clear();
  }

  get size(): number {
    return this.tokens.size;
  }

  close(): void {
    clearInterval(this.timer);
    this.tokens.clear();
  }
}
