// Acknowledgements in batches: what a tick settled synchronously is acked with one `multiple`
// ack (one frame instead of one per message), but never past a delivery still waiting for a
// publisher confirm (dead letters, scale-out pushes): those are acked one by one when confirmed.

/** The part of an amqplib channel the acker uses (a fake in unit tests records the calls). */
export interface AckChannel<M> {
  ack(m: M, allUpTo?: boolean): void;
  nack(m: M, allUpTo?: boolean, requeue?: boolean): void;
}

export interface Tagged {
  fields: { deliveryTag: number };
}

export class Acker<M extends Tagged> {
  private ready: M[] = [];
  private readonly waiting = new Set<number>();
  private scheduled = false;

  constructor(
    private readonly ch: AckChannel<M>,
    /** When the batch is flushed: the end of this tick by default. */
    private readonly later: (fn: () => void) => void = (fn) => void setImmediate(fn),
  ) {}

  /** Settled now (pushes handed over): acked at the end of this tick. */
  ack(m: M): void {
    this.ready.push(m);
    if (!this.scheduled) {
      this.scheduled = true;
      this.later(() => this.flush());
    }
  }

  /** Will be settled after a confirm: keeps batched acks below it. */
  hold(m: M): void {
    this.waiting.add(m.fields.deliveryTag);
  }

  /** The confirm came (or failed): ack, or give it back to the queue. */
  release(m: M, ok: boolean): void {
    this.waiting.delete(m.fields.deliveryTag);
    try {
      if (ok) this.ch.ack(m);
      else this.ch.nack(m, false, true);
    } catch {
      // The channel closed under us: the delivery comes back and is de-duplicated.
    }
  }

  flush(): void {
    this.scheduled = false;
    const ready = this.ready;
    if (!ready.length) return;
    this.ready = [];
    let below = Infinity;
    for (const t of this.waiting) below = Math.min(below, t);
    // Deliveries arrive in tag order, so `ready` is ascending.
    let i = ready.length - 1;
    while (i >= 0 && ready[i]!.fields.deliveryTag >= below) i--;
    try {
      if (i >= 0) this.ch.ack(ready[i]!, true);
      for (let j = i + 1; j < ready.length; j++) this.ch.ack(ready[j]!);
    } catch {
      // The channel closed under us: those deliveries come back and are de-duplicated.
    }
  }
}
