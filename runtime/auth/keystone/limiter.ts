// Bounds the Keystone requests Herald makes at once (in flight) and those allowed to wait for a
// slot (pending). A flood of distinct bad tokens then costs Keystone at most `inFlight` requests
// at a time and the rest are answered at once instead of queueing without end.
export class Limiter {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(
    private readonly inFlight: number,
    private readonly pending: number,
  ) {}

  /** Runs `job` when a slot is free; null when `bounded` and too many are already pending. */
  async run<T>(job: () => Promise<T>, bounded = true): Promise<T | null> {
    if (bounded && this.running + this.waiting.length >= this.pending) return null;
    if (this.running >= this.inFlight) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.running++;
    try {
      return await job();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}
