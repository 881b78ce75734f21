// Flag mistakes get Herald's own one-line message and exit 2, never Node's parser's words.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from '../helpers.js';
import { integerFlag, parseFlags, UsageError } from '../../runtime/cli/flags.js';

const options = { config: { type: 'string' }, strict: { type: 'boolean' } } as const;

describe('command-line flags', () => {
  it('an unknown flag names the command and its flags', () => {
    expect(() => parseFlags('serve', ['--bogus'], options)).toThrow(new UsageError('herald serve: unknown flag --bogus; its flags: --config CONFIG, --strict'));
  });
  it('a flag without its value, or a value for a switch, says so', () => {
    expect(() => parseFlags('serve', ['--config'], options)).toThrow(new UsageError('herald serve: --config needs a value'));
    expect(() => parseFlags('serve', ['--strict=yes'], options)).toThrow(new UsageError('herald serve: --strict takes no value'));
  });
  it('a stray argument is named', () => {
    expect(() => parseFlags('serve', ['oops'], options)).toThrow(/herald serve: unexpected argument 'oops'/);
  });
  it('a number flag refuses what is not a whole number', () => {
    expect(integerFlag('token', '--ttl', '60', 1)).toBe(60);
    for (const bad of ['abc', '1.5', '-3', '0', '']) expect(() => integerFlag('token', '--ttl', bad, 1)).toThrow(UsageError);
  });
  it('herald token --ttl abc exits 2 with Herald\'s message', () => {
    const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'herald.mjs'), 'token', '--sub', 'u1', '--secret', 's', '--ttl', 'abc'], { encoding: 'utf8', timeout: 120_000 });
    expect(r.status).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe("herald token: --ttl must be a whole number of at least 1, not 'abc'");
    expect(r.stderr).not.toMatch(/ERR_PARSE_ARGS|\n\s+at /);
  }, 130_000);
});
