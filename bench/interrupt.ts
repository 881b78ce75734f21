// A bench stopped by a signal (Ctrl-C, `timeout`) skips its `finally` blocks, so a broker or a
// Keystone it started would outlive it and get in the way of the next run. Each is registered here
// while it runs and stopped on SIGINT/SIGTERM before the process exits.
const stops = new Set<() => void>();
let installed = false;

/** Runs `stop` if the bench is interrupted; returns the normal way to stop it (once). */
export function stopOnSignal(stop: () => void): () => void {
  if (!installed) {
    installed = true;
    for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
      process.once(signal, () => {
        for (const s of stops) {
          try {
            s();
          } catch (e) {
            process.stderr.write(`bench: stopping after ${signal}: ${String(e)}\n`);
          }
        }
        process.exit(code);
      });
    }
  }
  stops.add(stop);
  return () => {
    stops.delete(stop);
    stop();
  };
}
