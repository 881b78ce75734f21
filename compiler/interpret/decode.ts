// The reference interpreter: Ceilometer's converter over the checked model. It is the test
// oracle for the generated decoders and the engine of `herald explain`.
import type { EventDef, Plugin, RuleSet, TraitDef } from '../model.js';
import { matchOrder } from '../model.js';
import { find, pathString, type Match } from './jsonpath.js';
import { compileGlob } from '../../runtime/semantics/glob.js';
import { PyError, type PyDict, type PyValue, pyEquals } from '../../runtime/semantics/pyvalue.js';
import { makeTrait, type DefinitionMatcher, type Trait } from '../../runtime/semantics/event.js';
import { splitPluginValue, bitfieldSet, mapLookup } from '../../runtime/semantics/ops.js';
import { isoDeltaSeconds } from '../../runtime/semantics/isotime.js';

/** The raw value Definition.parse chooses for a trait (before type conversion). */
export function traitRawValue(t: TraitDef, body: PyDict): PyValue | undefined {
  if (t.getter.kind === 'const') return t.getter.value;
  const root: Match = { value: body, path: '`this`', context: null };
  const matches = find(t.getter.path, root).map((m) => {
    if (m === null) throw new PyError('AttributeError', "'NoneType' object has no attribute 'value'");
    return m;
  });
  const nonNull = matches.filter((m) => m.value !== null);
  if (!t.plugin) return nonNull.length ? nonNull[0]!.value : undefined;
  const values = runPlugin(t.plugin, nonNull.map((m) => [pathString(m), m.value] as [string, PyValue])).filter((v) => v !== null);
  return values.length ? values[0] : undefined;
}

export function runPlugin(p: Plugin, matches: Array<[string, PyValue]>): PyValue[] {
  switch (p.name) {
    case 'split':
      return matches.map(([, v]) => splitPluginValue(v, p.separator, p.segment, p.maxSplit));
    case 'bitfield': {
      const byPath = new Map(matches);
      let bits: number | bigint = p.initial;
      for (const f of p.flags) {
        if (typeof f.path !== 'string' || !byPath.has(f.path)) continue;
        if (f.value === undefined || pyEquals(byPath.get(f.path)!, f.value)) bits = bitfieldSet(bits, f.bit);
      }
      return [bits];
    }
    case 'timedelta': {
      if (matches.length !== 2) return [null];
      try {
        return [Math.abs(isoDeltaSeconds(matches[0]![1], matches[1]![1]))];
      } catch (e) {
        if (e instanceof PyError) return [null];
        throw e;
      }
    }
    case 'map':
      return matches.map(([, v]) => {
        const r = mapLookup(p.values, v, p.caseSensitive);
        return r.found ? r.value : p.defaultValue;
      });
  }
}

export function interpretTraits(def: EventDef, body: PyDict): Trait[] {
  const out: Trait[] = [];
  for (const t of def.traits) {
    const trait = makeTrait(t.name, t.type, traitRawValue(t, body));
    if (trait) out.push(trait);
  }
  return out;
}

/** A DefinitionMatcher that walks the definitions in match order for every event. */
export function interpreter(rules: RuleSet, dropUnmatched = false): DefinitionMatcher<EventDef> {
  const order = matchOrder(rules, dropUnmatched).map((d) => ({
    def: d,
    inc: d.included.map(compileGlob),
    exc: d.excluded.map(compileGlob),
  }));
  return {
    callsFnmatch: order.some((o) => o.inc.length > 0),
    match(eventType: string): EventDef | null {
      for (const o of order) if (o.inc.some((g) => g(eventType)) && !o.exc.some((g) => g(eventType))) return o.def;
      return null;
    },
    traits: interpretTraits,
  };
}
