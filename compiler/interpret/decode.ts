// The reference interpreter: Ceilometer's converter over the checked model. It is the test
// oracle for the generated decoders and the engine of `herald explain`.
import { location } from '../source.js';
import type { EventDef, Plugin, RuleSet, TraitDef } from '../model.js';
import { matchOrder, winnerFinder } from '../model.js';
import { find, pathString } from './jsonpath.js';
import { wrap } from '../../runtime/semantics/jsonpath-steps.js';
import { bitfieldPlugin, firstNonNull, mapPlugin, splitPlugin, timedeltaPlugin, type PluginMatch } from '../../runtime/semantics/plugins.js';
import { PyError, type PyDict, type PyValue } from '../../runtime/semantics/pyvalue.js';
import { makeTrait, type DefinitionMatcher, type Trait } from '../../runtime/semantics/event.js';

/** The raw value Definition.parse chooses for a trait (before type conversion). */
export function traitRawValue(t: TraitDef, body: PyDict): PyValue | undefined {
  if (t.getter.kind === 'const') return t.getter.value;
  const matches = find(t.getter.path, wrap(body)).map((m) => {
    if (m === null) throw new PyError('AttributeError', "'NoneType' object has no attribute 'value'");
    return m;
  });
  const nonNull = matches.filter((m) => m.value !== null);
  if (!t.plugin) return nonNull.length ? nonNull[0]!.value : undefined;
  return firstNonNull(runPlugin(t.plugin, nonNull.map((m) => [pathString(m), m.value] as PluginMatch)));
}

export function runPlugin(p: Plugin, matches: PluginMatch[]): PyValue[] {
  switch (p.name) {
    case 'split':
      return splitPlugin(matches, p.separator, p.segment, p.maxSplit);
    case 'bitfield':
      return bitfieldPlugin(matches, p.initial, p.flags);
    case 'timedelta':
      return timedeltaPlugin(matches);
    case 'map':
      return mapPlugin(matches, p.values, p.defaultValue, p.caseSensitive);
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
  return {
    callsFnmatch: matchOrder(rules, dropUnmatched).some((d) => d.included.length > 0),
    match: winnerFinder(rules, dropUnmatched),
    traits: interpretTraits,
    describe: (d: EventDef) => `${location(d.span)} (${d.label})`,
  };
}
