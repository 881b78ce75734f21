// Acceptance (issue 2.1): the real Ceilometer's output for 718 real notifications.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { loadDefinitions } from '../../compiler/check/definitions.js';
import { interpreter } from '../../compiler/interpret/decode.js';
import { decodeLine, formatResult } from '../../runtime/semantics/event.js';
import { ROOT, SAMPLES, canonicalResult, readLines } from '../helpers.js';

const defsPath = join(SAMPLES, 'event_definitions.yaml');
const inputs = readLines(join(SAMPLES, 'corpus', 'notifications.jsonl'));
const expected = readLines(join(SAMPLES, 'corpus', 'expected.ceilometer-19.0.0.jsonl'));

describe('corpus: 718 real notifications equal Ceilometer 19.0.0', () => {
  it('has the golden data', () => {
    expect(inputs).toHaveLength(718);
    expect(expected).toHaveLength(718);
  });

  it('interpreter, line by line', () => {
    const { rules, diagnostics } = loadDefinitions(defsPath, readFileSync(defsPath, 'utf8'));
    expect(diagnostics.hasErrors).toBe(false);
    const m = interpreter(rules!);
    const mismatches: string[] = [];
    inputs.forEach((line, i) => {
      const got = canonicalResult(formatResult(decodeLine(m, line)));
      const want = canonicalResult(expected[i]!);
      if (got !== want) mismatches.push(`line ${i + 1}:\n  want ${want}\n  got  ${got}`);
    });
    expect(mismatches.slice(0, 5).join('\n')).toBe('');
  });

  it('`herald decode --interpret` end to end (the documented command)', () => {
    const out = execFileSync(process.execPath, [join(ROOT, 'bin', 'herald.mjs'), 'decode', '--definitions', defsPath, '--interpret'], {
      input: readFileSync(join(SAMPLES, 'corpus', 'notifications.jsonl')),
      maxBuffer: 64 << 20,
    }).toString();
    const got = out.split('\n').filter(Boolean).map(canonicalResult);
    expect(got).toEqual(expected.map(canonicalResult));
  });
});
