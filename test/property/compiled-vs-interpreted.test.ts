// Issue 3: generated decoders ≡ the reference interpreter, on random rule sets and notifications
// (the outcome compared with toStrictEqual: traits with their types, drops, errors and the rule
// an error names). A failure shrinks to a minimal rule set (YAML) and notification (JSON).
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { loadDefinitions } from '../../compiler/check/definitions.js';
import { interpreter } from '../../compiler/interpret/decode.js';
import { compileInMemory } from '../../compiler/emit/load.js';
import { compiledMatcher } from '../../runtime/decode/rt.js';
import { decodeInput, formatResult, type DecodeOptions } from '../../runtime/semantics/event.js';
import { parsePyJson } from '../../runtime/semantics/pyjson.js';
import { notificationJson, rulesYaml } from './arbitraries.js';

const RULE_SETS = Number(process.env.HERALD_PROPERTY_RUNS ?? 1000);

function explain(yaml: string, json: string, opts: DecodeOptions, compiled: string, interpreted: string): string {
  return `compiled and interpreted differ\n--- rules (YAML) ---\n${yaml}--- notification (JSON) ---\n${json}\n--- options ---\n${JSON.stringify(opts)}\ncompiled:    ${compiled}\ninterpreted: ${interpreted}`;
}

describe('compiled ≡ interpreted (fast-check)', () => {
  it(`agrees on at least ${RULE_SETS} random rule sets`, () => {
    let compiledSets = 0;
    let events = 0;
    let errors = 0;
    fc.assert(
      fc.property(rulesYaml, fc.array(notificationJson, { minLength: 1, maxLength: 6 }), fc.boolean(), fc.boolean(), (yaml, notifications, dropUnmatched, includeRaw) => {
        const { rules, diagnostics } = loadDefinitions('property.yaml', yaml);
        if (!rules || diagnostics.hasErrors) return; // not a valid rule set: nothing to compare
        compiledSets++;
        const opts: DecodeOptions = { dropUnmatched, includeRaw, storeRaw: includeRaw ? ['info'] : [] };
        const slow = interpreter(rules, dropUnmatched);
        const fast = compiledMatcher(compileInMemory(rules), dropUnmatched);
        for (const json of notifications) {
          const input = parsePyJson(json);
          const want = decodeInput(slow, input, opts);
          const got = decodeInput(fast, input, opts);
          if (want.kind === 'event') events++;
          if (want.kind === 'error') errors++;
          try {
            expect(got).toStrictEqual(want);
          } catch {
            throw new Error(explain(yaml, json, opts, formatResult(got), formatResult(want)));
          }
        }
      }),
      { numRuns: Math.ceil(RULE_SETS * 1.6), endOnFailure: false },
    );
    // The generators must really exercise the compiler: most rule sets load, and both events
    // and runtime errors occur.
    expect(compiledSets).toBeGreaterThanOrEqual(RULE_SETS);
    expect(events).toBeGreaterThan(RULE_SETS / 2);
    expect(errors).toBeGreaterThan(0);
  });
});
