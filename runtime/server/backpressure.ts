// Per-socket and process-wide backpressure: a socket whose unsent data passes max_backpressure is
// closed with 4009 (it can resume); while all sockets behind together pass max_buffered_bytes,
// the worst are closed first. A stuck client never drains, so its socket is dropped outright after
// a grace period.
import { CLOSE } from '../protocol/frames.js';
import { armDeadline, type ServerEvents, type Sock } from './socket.js';

export interface BackpressureLimits {
  maxBackpressure: number;
  maxBufferedBytes: number;
}

/** How long a socket closed for backpressure may take to drain before it is dropped outright. */
const SLOW_CLOSE_GRACE_MS = 2000;

export class Backpressure {
  private readonly behind = new Set<Sock>();

  constructor(
    private readonly limits: BackpressureLimits,
    private readonly events: Pick<ServerEvents, 'slowClosed'>,
    /** Takes the socket out of the hub (and its push bindings) at once: nothing more is sent to it. */
    private readonly leave: (ws: Sock) => void,
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
    if (ws.getBufferedAmount() !== 0) return;
    this.behind.delete(ws);
    if (ws.getUserData().slowClosing) this.endSlow(ws);
  }

  forget(ws: Sock): void {
    this.behind.delete(ws);
  }

  /**
   * Not end() at once: once ended, uWS reports the socket closed and hands it to us no more, while a
   * client that never reads keeps it, with MBs queued, for minutes. So the socket leaves the hub
   * now, the 4009 goes out when the backlog drains, and a client still stuck after the grace
   * period loses the socket outright.
   */
  closeSlow(ws: Sock, why: string): void {
    const d = ws.getUserData();
    if (d.closed) return;
    this.events.slowClosed(d.conn?.user, why);
    d.closed = true;
    d.slowClosing = true;
    this.behind.delete(ws);
    this.leave(ws);
    if (ws.getBufferedAmount() === 0) return this.endSlow(ws);
    armDeadline(d, SLOW_CLOSE_GRACE_MS, () => d.gone || ws.close());
  }

  private endSlow(ws: Sock): void {
    ws.getUserData().slowClosing = false;
    ws.end(CLOSE.slowConsumer.code, CLOSE.slowConsumer.reason);
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
