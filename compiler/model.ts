// The checked rule model: what the interpreter runs and the emitter compiles.
import type { JsonPath } from './jsonpath-ast.js';
import type { Span } from './source.js';
import type { PyValue } from '../runtime/semantics/pyvalue.js';
import { compileGlob, globLiteral, parseGlob } from '../runtime/semantics/glob.js';

export type TraitType = 'none' | 'text' | 'int' | 'float' | 'datetime';

export type Getter =
  | { kind: 'const'; value: number | bigint | boolean }
  | { kind: 'path'; source: string; path: JsonPath };

export type Plugin =
  | { name: 'split'; separator: string | null; segment: number; maxSplit: number | null }
  | { name: 'bitfield'; initial: PyValue; flags: Array<{ path: PyValue; bit: number; value?: PyValue }> }
  | { name: 'timedelta' }
  | { name: 'map'; values: Array<[PyValue, PyValue]>; defaultValue: PyValue; caseSensitive: boolean };

export interface TraitDef {
  name: string;
  type: TraitType;
  getter: Getter;
  plugin: Plugin | null;
  /** Where the trait is written (the default traits point at their definition's event_type). */
  span: Span;
  isDefault: boolean;
  /** The `<<` key that merged this trait in from an anchor. */
  mergedVia?: Span;
}

export interface EventDef {
  /** Position in the file (0-based); the built-in catch-all has -1. */
  index: number;
  span: Span;
  included: string[];
  excluded: string[];
  isCatchAll: boolean;
  traits: TraitDef[];
  /** Short human label: the event_type as written. */
  label: string;
}

export interface RuleSet {
  path: string;
  sha256: string;
  /** In file order. */
  definitions: EventDef[];
  /** `{event_type: '*', traits: {}}`, used when drop_unmatched is off and no catch-all exists. */
  builtinCatchAll: EventDef;
}

/** Definitions in match order: reversed file order, then the built-in catch-all if it applies. */
export function matchOrder(rules: RuleSet, dropUnmatched: boolean): EventDef[] {
  const order = [...rules.definitions].reverse();
  if (!dropUnmatched && !order.some((d) => d.isCatchAll)) order.push(rules.builtinCatchAll);
  return order;
}

/** An event-type test for include/exclude patterns (fnmatch; `!` patterns already split out). */
export function patternMatcher(p: { included: readonly string[]; excluded: readonly string[] }): (eventType: string) => boolean {
  const inc = p.included.map(compileGlob);
  const exc = p.excluded.map(compileGlob);
  return (t) => inc.some((g) => g(t)) && !exc.some((g) => g(t));
}

/**
 * Which definition decodes an event type: the first in match order whose patterns accept it
 * (the last in the file), or null. With dropUnmatched, the built-in catch-all is left out, so
 * null then means "no definition in the file".
 */
export function winnerFinder(rules: RuleSet, dropUnmatched: boolean): (eventType: string) => EventDef | null {
  const order = matchOrder(rules, dropUnmatched).map((d) => ({ d, accepts: patternMatcher(d) }));
  return (t) => order.find((o) => o.accepts(t))?.d ?? null;
}

/** Every literal (glob-free) event type the patterns name, sorted: the rows of exact tables. */
export function literalEventTypes(...patternSets: ReadonlyArray<{ included: readonly string[] }>[]): string[] {
  const literals = new Set<string>();
  for (const set of patternSets)
    for (const p of set)
      for (const pattern of p.included) {
        const lit = globLiteral(parseGlob(pattern));
        if (lit !== null) literals.add(lit);
      }
  return [...literals].sort();
}
