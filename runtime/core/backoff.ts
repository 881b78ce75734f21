// The reconnect schedule shared by broker clients: exponential from 250 ms, capped, with jitter
// in the upper half so a fleet of nodes does not reconnect in lock-step.
export function backoffDelay(attempt: number, capSeconds: number, random: () => number = Math.random): number {
  const base = Math.min(capSeconds * 1000, 250 * 2 ** Math.min(attempt, 10));
  return base / 2 + random() * (base / 2);
}

/**
 * Which target to try next and when: the targets in turn, the first try at once, each retry after
 * backoffDelay (reset by a connection that comes up). `tryConnect` reports a failure or a later
 * loss by calling retry().
 */
export class Reconnector<T> {
  private attempt = 0;
  private next = 0;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(
    private readonly targets: readonly T[],
    private readonly capSeconds: number,
    private readonly tryConnect: (target: T) => Promise<void>,
  ) {}

  /** Tries made since the last connection that came up. */
  get attempts(): number {
    return this.attempt;
  }

  start(): void {
    void this.connectNext();
  }

  /** The try failed or the connection was lost: the next target after the back-off (once, however often called). */
  retry(): void {
    if (this.stopped || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.connectNext();
    }, backoffDelay(this.attempt++, this.capSeconds));
  }

  /** A connection came up: the next loss starts the schedule over. */
  connected(): void {
    this.attempt = 0;
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private async connectNext(): Promise<void> {
    if (!this.stopped) await this.tryConnect(this.targets[this.next++ % this.targets.length]!);
  }
}
