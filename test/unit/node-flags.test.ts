// `herald serve`'s V8 flags are written in three places that cannot import them: npm start, the
// entry file's shebang (a plain `herald serve`) and the README's deployment line for the single
// executable. They must say what runtime/core/node-flags.ts says.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../helpers.js';
import { SERVE_NODE_FLAGS } from '../../runtime/core/node-flags.js';

const flags = SERVE_NODE_FLAGS.join(' ');

describe('herald serve V8 flags', () => {
  it('npm start launches node with them', () => {
    const start = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts.start;
    expect(start).toBe(`node ${flags} bin/herald.mjs serve --config rules/settings.ini`);
  });

  it('the entry file carries them in its shebang', () => {
    const first = readFileSync(join(ROOT, 'bin', 'herald.mjs'), 'utf8').split('\n')[0];
    expect(first).toBe(`#!/usr/bin/env -S node ${flags}`);
  });

  it('the README gives them to the single executable', () => {
    expect(readFileSync(join(ROOT, 'README.md'), 'utf8')).toContain(`NODE_OPTIONS='${flags}' ./herald serve`);
  });
});
