// Acceptance (issue 2.1): the real Ceilometer's output for 718 real notifications.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { loadDefinitions } from '../../compiler/check/definitions.js';
import { interpreter } from '../../compiler/interpret/decode.js';
import { decodeLine, formatResult, type DefinitionMatcher } from '../../runtime/semantics/event.js';
import { compiledMatcher } from '../../runtime/decode/rt.js';
import { compileInMemory } from '../../compiler/emit/load.js';
import { rules as committed } from '../../generated/decoders.js';
import { ROOT, SAMPLES, canonicalResult, readLines } from '../helpers.js';

const defsPath = join(SAMPLES, 'event_definitions.yaml');
const inputs = readLines(join(SAMPLES, 'corpus', 'notifications.jsonl'));
const expected = readLines(join(SAMPLES, 'corpus', 'expected.ceilometer-19.0.0.jsonl'));

describe('corpus: 718 real notifications equal Ceilometer 19.0.0', () => {
  it('has the golden data', () => {
    expect(inputs).toHaveLength(718);
    expect(expected).toHaveLength(718);
  });

  const { rules, diagnostics } = loadDefinitions(defsPath, readFileSync(defsPath, 'utf8'));
  const matchers: Array<[string, () => DefinitionMatcher<unknown>]> = [
    ['interpreter', () => interpreter(rules!)],
    ['compiled (emitted and loaded in memory)', () => compiledMatcher(compileInMemory(rules!))],
    ['compiled (committed generated/decoders.ts)', () => compiledMatcher(committed)],
  ];
  it.each(matchers)('%s, line by line', (_name, make) => {
    expect(diagnostics.hasErrors).toBe(false);
    const m = make();
    const mismatches: string[] = [];
    inputs.forEach((line, i) => {
      const got = canonicalResult(formatResult(decodeLine(m, line)));
      const want = canonicalResult(expected[i]!);
      if (got !== want) mismatches.push(`line ${i + 1}:\n  want ${want}\n  got  ${got}`);
    });
    expect(mismatches.slice(0, 5).join('\n')).toBe('');
  });

  it.each([['--interpret'], []])('`herald decode %s` end to end (the documented command)', (...flags: string[]) => {
    const out = execFileSync(process.execPath, [join(ROOT, 'bin', 'herald.mjs'), 'decode', '--definitions', defsPath, ...flags], {
      input: readFileSync(join(SAMPLES, 'corpus', 'notifications.jsonl')),
      maxBuffer: 64 << 20,
    }).toString();
    const got = out.split('\n').filter(Boolean).map(canonicalResult);
    expect(got).toEqual(expected.map(canonicalResult));
  });
});
