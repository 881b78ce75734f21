// Per-socket and process-wide backpressure: a socket whose unsent data passes max_backpressure is
// closed with 4009 (it can resume); while all sockets behind together pass max_buffered_bytes,
// the worst are closed first. A stuck client never reads the close frame, so the socket is
// dropped outright shortly after if uWS has not reported it closed.
import { CLOSE } from '../protocol/frames.js';
import type { ServerEvents, Sock } from './socket.js';

export interface BackpressureLimits {
  maxBackpressure: number;
  maxBufferedBytes: number;
}

/** How long a 4009 close may wait behind unsent data before the socket is dropped. */
const HARD_CLOSE_MS = 2000;

export class Backpressure {
  private readonly behind = new Set<Sock>();

  constructor(
    private readonly limits: BackpressureLimits,
    private readonly events: Pick<ServerEvents, 'slowClosed'>,
  ) {}

  send(ws: Sock, frame: string): void {
    const d = ws.getUserData();
    if (d.closed) return;
    const status = ws.send(frame, false, false);
    if (status === 2) return this.closeSlow(ws, 'send dropped by the socket layer');
    if (status === 1) return; // written out: nothing buffered
    this.behind.add(ws);
    if (ws.getBufferedAmount() > this.limits.maxBackpressure) this.closeSlow(ws, `more than max_backpressure (${this.limits.maxBackpressure}) bytes unsent`);
  }

  drained(ws: Sock): void {
    if (ws.getBufferedAmount() === 0) this.behind.delete(ws);
  }

  forget(ws: Sock): void {
    this.behind.delete(ws);
  }

  closeSlow(ws: Sock, why: string): void {
    const d = ws.getUserData();
    if (d.closed) return;
    this.events.slowClosed(d.identity?.user, why);
    d.closed = true;
    this.behind.delete(ws);
    ws.end(CLOSE.slowConsumer.code, CLOSE.slowConsumer.reason);
    // Not in d.timers: the close handler clears those, and this one must outlive a close frame
    // stuck behind data.
    setTimeout(() => d.gone || ws.close(), HARD_CLOSE_MS).unref();
  }

  /** While the sockets behind exceed the process-wide budget, close the worst first. */
  enforceBudget(): void {
    if (!this.behind.size) return;
    let total = 0;
    for (const ws of this.behind) total += ws.getBufferedAmount();
    if (total <= this.limits.maxBufferedBytes) return;
    const worst = [...this.behind].sort((a, b) => b.getBufferedAmount() - a.getBufferedAmount());
    for (const ws of worst) {
      if (total <= this.limits.maxBufferedBytes) break;
      total -= ws.getBufferedAmount();
      this.closeSlow(ws, `process-wide max_buffered_bytes (${this.limits.maxBufferedBytes}) exceeded`);
    }
  }
}
