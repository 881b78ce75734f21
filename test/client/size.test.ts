// herald-client's size budget: the whole library, minified by esbuild and gzipped, stays within
// 5 KB, and it pulls in nothing (no runtime dependency, no Node built-in).
import { describe, expect, it } from 'vitest';
import { build } from 'esbuild';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { ROOT } from '../helpers.js';

const BUDGET = 5 * 1024;

describe('herald-client size', () => {
  it(`is at most ${BUDGET} bytes minified + gzip, with no import left`, async () => {
    const out = await build({ entryPoints: [join(ROOT, 'client', 'src', 'index.ts')], bundle: true, minify: true, format: 'esm', platform: 'neutral', write: false, metafile: true, absWorkingDir: ROOT });
    const code = out.outputFiles[0]!.contents;
    const gzipped = gzipSync(code, { level: 9 }).byteLength;
    const inputs = Object.keys(out.metafile.inputs);
    expect(inputs.every((p) => p.startsWith('client/src/'))).toBe(true);
    expect(new TextDecoder().decode(code)).not.toMatch(/\bimport\s*[{("']|require\(/);
    process.stdout.write(`herald-client: ${code.byteLength} bytes minified, ${gzipped} bytes minified + gzip\n`);
    expect(gzipped).toBeLessThanOrEqual(BUDGET);
  });
});
