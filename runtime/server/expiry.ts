// Credential expiry for every ready socket, checked by one timer. One setTimeout per socket (a
// Timeout, its callback and that callback's context: ~240 bytes) was the largest thing an idle
// connection held in the JavaScript heap; a map entry costs a tenth of it. A socket closes at most
// one tick after its credential expires (JWT `exp` is in whole seconds anyway).
import type { Sock } from './socket.js';

export const EXPIRY_TICK_MS = 1000;

export class ExpiryWatch {
  /** Socket → when its credential expires (ms since the epoch). */
  private readonly due = new Map<Sock, number>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly onExpired: (ws: Sock) => void,
    private readonly tickMs = EXPIRY_TICK_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** Watches `ws` until `expiresAt`; a fresh credential moves the time. */
  watch(ws: Sock, expiresAt: number): void {
    this.due.set(ws, expiresAt);
    if (this.timer) return;
    this.timer = setInterval(() => this.tick(), this.tickMs);
    // An idle gateway with open sockets must still be able to exit on a signal.
    this.timer.unref();
  }

  forget(ws: Sock): void {
    this.due.delete(ws);
    if (this.due.size || !this.timer) return;
    clearInterval(this.timer);
    this.timer = null;
  }

  get size(): number {
    return this.due.size;
  }

  private tick(): void {
    const now = this.now();
    for (const [ws, at] of this.due) {
      if (at > now) continue;
      this.forget(ws);
      this.onExpired(ws);
    }
  }
}
