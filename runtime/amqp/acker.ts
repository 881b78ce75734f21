// Acknowledgements in batches: what a tick settled synchronously is acked with one `multiple`
// ack (one frame instead of one per message), but never past a delivery still waiting for a
// publisher confirm (dead letters, scale-out pushes): those are acked one by one when confirmed.
import type { Channel, Message } from 'amqplib';

export class Acker {
  private ready: Message[] = [];
  private readonly waiting = new Set<number>();
  private scheduled = false;

  constructor(private readonly ch: Channel) {}

  /** Settled now (pushes handed over): acked at the end of this tick. */
  ack(m: Message): void {
    this.ready.push(m);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** Will be settled after a confirm: keeps batched acks below it. */
  hold(m: Message): void {
    this.waiting.add(m.fields.deliveryTag);
  }

  /** The confirm came (or failed): ack, or give it back to the queue. */
  release(m: Message, ok: boolean): void {
    this.waiting.delete(m.fields.deliveryTag);
    if (ok) this.ch.ack(m);
    else this.ch.nack(m, false, true);
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
