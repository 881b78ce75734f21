// Push frames wait here for the end of the current turn of the event loop; then each socket gets
// all of its frames in one cork, so one write (one syscall) carries a broker tick's or an ingest
// batch's pushes instead of one write per frame. A frame sent directly (ready, error, replay)
// first writes whatever the socket still has waiting, so a socket's frames keep their order.
import type { Backpressure } from './backpressure.js';
import type { Sock } from './socket.js';

export class Outbox {
  private waiting = new Map<Sock, string[]>();
  private scheduled = false;

  constructor(
    private readonly out: Backpressure,
    /** After every flush: the process-wide budget is checked once per batch, not per frame. */
    private readonly flushed: () => void = () => out.enforceBudget(),
  ) {}

  /** A push frame, written with the socket's other frames at the end of this turn. */
  queue(ws: Sock, frame: string): void {
    let frames = this.waiting.get(ws);
    if (!frames) {
      this.waiting.set(ws, (frames = []));
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    }
    frames.push(frame);
  }

  /** A frame written now; the caller corks. */
  send(ws: Sock, frame: string): void {
    const frames = this.waiting.get(ws);
    if (frames) {
      this.waiting.delete(ws);
      for (const f of frames) this.out.send(ws, f);
    }
    this.out.send(ws, frame);
  }

  /** The socket is gone: what waits for it is dropped. */
  forget(ws: Sock): void {
    this.waiting.delete(ws);
  }

  flush(): void {
    this.scheduled = false;
    const all = this.waiting;
    this.waiting = new Map();
    for (const [ws, frames] of all) {
      const d = ws.getUserData();
      if (d.closed || d.gone) continue;
      ws.cork(() => {
        for (const f of frames) this.out.send(ws, f);
      });
    }
    this.flushed();
  }
}
