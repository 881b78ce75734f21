// `BENCH <name> <value> <unit>` lines (cli.md), plus a human note on stderr.
export function report(name: string, value: number, unit: string, note = ''): void {
  const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2;
  process.stdout.write(`BENCH ${name} ${value.toFixed(digits)} ${unit}\n`);
  if (note) process.stderr.write(`  ${name}: ${note}\n`);
}

/** Runs `fn` over `items` repeatedly for about `seconds`; returns items per second. */
export function throughput<T>(items: readonly T[], fn: (item: T) => unknown, seconds: number, maxRounds = 100000): number {
  let sink = 0;
  const started = performance.now();
  let rounds = 0;
  let elapsed = 0;
  while (rounds < maxRounds) {
    for (const item of items) if (fn(item)) sink++;
    rounds++;
    elapsed = (performance.now() - started) / 1000;
    if (elapsed >= seconds) break;
  }
  // Use the results so the optimiser cannot drop the calls that produced them.
  if (sink < 0) process.stderr.write('');
  return (rounds * items.length) / elapsed;
}
