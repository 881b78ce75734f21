// Reconnect delays: capped exponential back-off with full jitter (a random delay between 0 and
// the cap), so many clients dropped at once by a restart do not come back in lock-step.

export interface Backoff {
  /** First cap, in ms (default 500). */
  baseMs?: number;
  /** Largest cap, in ms (default 30 000). */
  maxMs?: number;
}

/** The delay before retry number `attempt` (0 for the first retry). */
export function backoffDelay(attempt: number, random: () => number, b: Backoff = {}): number {
  const cap = Math.min(b.maxMs ?? 30_000, (b.baseMs ?? 500) * 2 ** Math.min(attempt, 30));
  return Math.floor(random() * cap);
}
