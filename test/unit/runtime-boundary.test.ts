// The runtime ships alone (issue 6's bundle): nothing under runtime/ may import compiler code.
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ROOT } from '../helpers.js';

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

describe('runtime boundary', () => {
  it('no runtime module imports from compiler/', () => {
    const offenders = files(join(ROOT, 'runtime')).filter((f) => /from\s+['"][^'"]*\/compiler\//.test(readFileSync(f, 'utf8')) || /import\(\s*['"][^'"]*\/compiler\//.test(readFileSync(f, 'utf8')));
    expect(offenders.map((f) => relative(ROOT, f))).toEqual([]);
    expect(files(join(ROOT, 'runtime')).length).toBeGreaterThan(20);
  });
});
