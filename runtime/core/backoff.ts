// The reconnect schedule shared by broker clients: exponential from 250 ms, capped, with jitter
// in the upper half so a fleet of nodes does not reconnect in lock-step.
export function backoffDelay(attempt: number, capSeconds: number, random: () => number = Math.random): number {
  const base = Math.min(capSeconds * 1000, 250 * 2 ** Math.min(attempt, 10));
  return base / 2 + random() * (base / 2);
}
