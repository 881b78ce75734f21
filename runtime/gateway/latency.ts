// The decoded event's `generated` (a naive UTC isoformat) as ms since the epoch, for the
// end-to-end latency histogram; null when it does not read as a time.
export function parseIsoForLatency(generated: string): number | null {
  const ms = Date.parse(/[zZ]|[+-]\d\d:\d\d$/.test(generated) ? generated : generated.slice(0, 23) + 'Z');
  return Number.isFinite(ms) ? ms : null;
}
