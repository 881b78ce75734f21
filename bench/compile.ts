// compile group: `herald compile` on Ceilometer's own definitions, type-check included, as a
// fresh process (start-up counted: that is what a rule author waits for).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../compiler/compile.js';
import { report } from './report.js';

export function benchCompile(runs = 3): void {
  const defs = join(REPO_ROOT, '..', 'shared', 'samples', 'event_definitions.yaml');
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const out = mkdtempSync(join(tmpdir(), 'herald-bench-'));
    try {
      const started = performance.now();
      execFileSync(process.execPath, [join(REPO_ROOT, 'bin', 'herald.mjs'), 'compile', '--definitions', defs, '--out', out], { stdio: 'ignore' });
      times.push((performance.now() - started) / 1000);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }
  times.sort((a, b) => a - b);
  report('compile.real_rules_s', times[Math.floor(times.length / 2)]!, 's', `median of ${runs} whole \`herald compile\` runs (parse, check, emit, ts-morph type-check, write)`);
}
