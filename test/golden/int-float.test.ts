// Issue 12 point 4: decode parity where Python's int/float distinction shows (str() of a float
// vs an int, int()/float() conversions, plugin results), against golden cases produced by the
// real converter (test/golden/make-int-float-cases.py).
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { loadDefinitions } from '../../compiler/check/definitions.js';
import { interpreter } from '../../compiler/interpret/decode.js';
import { decodeLine, formatResult, type DefinitionMatcher } from '../../runtime/semantics/event.js';
import { compiledMatcher } from '../../runtime/decode/rt.js';
import { compileInMemory } from '../../compiler/emit/load.js';
import type { RuleSet } from '../../compiler/model.js';
import { parsePyJson, dumpPyJson } from '../../runtime/semantics/pyjson.js';
import type { PyValue } from '../../runtime/semantics/pyvalue.js';
import { ROOT, canonicalResult, readLines } from '../helpers.js';

interface GoldenCase {
  id: number;
  group: string;
  title: string;
  yaml: string;
  notification: string;
  result: Map<string, PyValue>;
}

const cases: GoldenCase[] = readLines(join(ROOT, 'test', 'golden', 'int-float-cases.jsonl')).map((line) => {
  const c = parsePyJson(line) as Map<string, PyValue>;
  return {
    id: c.get('id') as number,
    group: c.get('group') as string,
    title: c.get('title') as string,
    yaml: c.get('definitions_yaml') as string,
    notification: c.get('notification_text') as string,
    result: c.get('result') as Map<string, PyValue>,
  };
});

describe('int/float parity with the real converter', () => {
  it('has every golden case, the timedelta one among them', () => {
    expect(cases).toHaveLength(83);
    const timedelta = cases.find((c) => c.id === 1)!;
    expect(dumpPyJson(timedelta.result)).toContain('"876499394.0"');
  });

  const paths = [
    ['interpreted', (r: RuleSet): DefinitionMatcher<unknown> => interpreter(r)],
    ['compiled', (r: RuleSet): DefinitionMatcher<unknown> => compiledMatcher(compileInMemory(r))],
  ] as const;
  for (const c of cases)
    for (const [pathName, matcherFor] of paths) {
      it(`IF${c.id} ${c.group} ${pathName}: ${c.title}`, () => {
        const { rules, diagnostics } = loadDefinitions(`IF${c.id}.yaml`, c.yaml);
        if (c.result.has('definition_error')) {
          expect(diagnostics.hasErrors).toBe(true);
          expect(rules).toBeNull();
          return;
        }
        expect(diagnostics.items.filter((d) => d.severity === 'error')).toEqual([]);
        const got = formatResult(decodeLine(matcherFor(rules!), c.notification));
        expect(canonicalResult(got)).toBe(canonicalResult(dumpPyJson(c.result)));
      });
    }
});
