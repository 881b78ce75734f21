// Issue 4: generated transformers ≡ the reference transform interpreter, on random rule sets,
// random transformer lists (hostile keys and literals, every reference kind, tuples, big ints,
// integral floats), both address keys (toid users, toproject projects) and random notifications. A failure shrinks to the rules, the settings.ini
// and the notification.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { loadDefinitions } from '../../compiler/check/definitions.js';
import { loadSettings } from '../../compiler/check/settings.js';
import { interpreter } from '../../compiler/interpret/decode.js';
import { interpretTransform } from '../../compiler/interpret/transform.js';
import { compileTransformsInMemory } from '../../compiler/emit/load.js';
import { compiledTransformer } from '../../runtime/transform/rt.js';
import { decodeInput } from '../../runtime/semantics/event.js';
import { formatTransform, type Output } from '../../runtime/semantics/transform.js';
import { addressIds, audienceOf } from '../../runtime/semantics/address.js';
import { parsePyJson } from '../../runtime/semantics/pyjson.js';
import { notificationJson, rulesYaml, settingsIni } from './arbitraries.js';

const RUNS = Number(process.env.HERALD_TRANSFORM_RUNS ?? 600);

describe('compiled transformers ≡ interpreted (fast-check)', () => {
  it(`agrees on at least ${RUNS} random transformer lists`, () => {
    let compiledLists = 0;
    let outputs = 0;
    let projectAddressed = 0;
    fc.assert(
      fc.property(rulesYaml, settingsIni, fc.array(notificationJson, { minLength: 1, maxLength: 6 }), (yaml, ini, notifications) => {
        const { rules } = loadDefinitions('property.yaml', yaml);
        if (!rules) return;
        const { settings } = loadSettings('settings.ini', ini, rules);
        if (!settings) return; // a reference no reachable definition produces: a compile error, nothing to run
        compiledLists++;
        const compiled = compiledTransformer(compileTransformsInMemory(rules, settings));
        const decode = interpreter(rules);
        for (const json of notifications) {
          const r = decodeInput(decode, parsePyJson(json));
          if (r.kind !== 'event') continue;
          const want = interpretTransform(settings.transformers, r.event);
          const got = compiled(r.event);
          outputs += want.length;
          try {
            expect(got).toStrictEqual(want);
            // The audience by kind, as the gateway computes it, agrees too, and follows the key.
            const audiences = (os: Output[]) => os.map((o) => (o.traits instanceof Map ? audienceOf(o.traits) : null));
            expect(audiences(got)).toStrictEqual(audiences(want));
            for (const o of want) {
              if (!(o.traits instanceof Map)) continue;
              const a = audienceOf(o.traits);
              expect(a.users).toStrictEqual(addressIds(o.traits.get('toid')));
              expect(a.projects).toStrictEqual(addressIds(o.traits.get('toproject')));
              if (a.projects.length) projectAddressed++;
            }
          } catch {
            throw new Error(`compiled and interpreted transformers differ\n--- rules ---\n${yaml}--- settings.ini ---\n${ini}--- notification ---\n${json}\ncompiled:    ${formatTransform(null, r, got)}\ninterpreted: ${formatTransform(null, r, want)}`);
          }
        }
      }),
      { numRuns: RUNS * 4, endOnFailure: false },
    );
    expect(compiledLists).toBeGreaterThanOrEqual(RUNS);
    expect(outputs).toBeGreaterThan(RUNS);
    expect(projectAddressed).toBeGreaterThan(RUNS / 10);
  });
});
