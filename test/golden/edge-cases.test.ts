// Acceptance (issue 2.2): the 81 edge cases produced by the real converter.
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { loadDefinitions } from '../../compiler/check/definitions.js';
import { interpreter } from '../../compiler/interpret/decode.js';
import { decodeInput, formatResult, type DefinitionMatcher } from '../../runtime/semantics/event.js';
import { compiledMatcher } from '../../runtime/decode/rt.js';
import { compileInMemory } from '../../compiler/emit/load.js';
import type { RuleSet } from '../../compiler/model.js';
import { parsePyJson, dumpPyJson } from '../../runtime/semantics/pyjson.js';
import type { PyValue } from '../../runtime/semantics/pyvalue.js';
import { SAMPLES, canonicalResult, readLines } from '../helpers.js';

interface EdgeCase {
  id: number;
  title: string;
  yaml: string;
  input: PyValue;
  options: Map<string, PyValue>;
  result: Map<string, PyValue>;
}

const cases: EdgeCase[] = readLines(join(SAMPLES, 'edge_cases.jsonl')).map((line) => {
  const c = parsePyJson(line) as Map<string, PyValue>;
  return {
    id: c.get('id') as number,
    title: c.get('title') as string,
    yaml: c.get('definitions_yaml') as string,
    input: c.get('notification')!,
    options: c.get('options') as Map<string, PyValue>,
    result: c.get('result') as Map<string, PyValue>,
  };
});

describe('edge cases from the real converter', () => {
  it('has all 81', () => expect(cases).toHaveLength(81));

  const paths = [
    ['interpreted', (r: RuleSet, drop: boolean): DefinitionMatcher<unknown> => interpreter(r, drop)],
    ['compiled', (r: RuleSet, drop: boolean): DefinitionMatcher<unknown> => compiledMatcher(compileInMemory(r), drop)],
  ] as const;
  for (const c of cases) for (const [pathName, matcherFor] of paths) {
    it(`E${c.id} ${pathName}: ${c.title}`, () => {
      const { rules, diagnostics } = loadDefinitions(`E${c.id}.yaml`, c.yaml);
      if (c.result.has('definition_error')) {
        expect(diagnostics.hasErrors).toBe(true);
        expect(rules).toBeNull();
        return;
      }
      expect(diagnostics.items.filter((d) => d.severity === 'error')).toEqual([]);
      const opts = {
        dropUnmatched: c.options.get('drop_unmatched') === true,
        storeRaw: (c.options.get('store_raw') as string[] | undefined) ?? [],
        includeRaw: c.options.get('include_raw') === true,
      };
      const got = formatResult(decodeInput(matcherFor(rules!, opts.dropUnmatched), c.input, opts));
      expect(canonicalResult(got)).toBe(canonicalResult(dumpPyJson(c.result)));
    });
  }
});
