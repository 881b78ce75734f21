// Everything generated decoders call: one import, so a generated file's dependencies are plain.
// Semantics live in runtime/semantics/; this module only specialises trait conversion per type
// and turns the generated dispatch tables into a DefinitionMatcher.
import type { PyDict, PyValue } from '../semantics/pyvalue.js';
import type { DefinitionMatcher, Trait } from '../semantics/event.js';
import { pyInt, pyFloat, pyText } from '../semantics/pyconvert.js';
import { isoToNaiveUtc } from '../semantics/isotime.js';
import { PyError } from '../semantics/pyvalue.js';
import { pathString, type Match } from '../semantics/jsonpath-steps.js';
import type { PluginMatch } from '../semantics/plugins.js';
import type { ReadTree } from '../semantics/reads.js';

export { PyFloat, PyError, type PyDict, type PyValue } from '../semantics/pyvalue.js';
export type { Trait } from '../semantics/event.js';
export type { ReadTree } from '../semantics/reads.js';
export * from '../semantics/jsonpath-steps.js';
export * from '../semantics/plugins.js';
export { splitOperator, pyLen } from '../semantics/ops.js';

// TraitDefinition.to_trait, one function per type: None gives no trait, and so does '' for
// every type but text.
export function pushText(out: Trait[], name: string, v: PyValue | undefined): void {
  if (v !== undefined && v !== null) out.push({ name, type: 'text', value: pyText(v) });
}
export function pushNone(out: Trait[], name: string, v: PyValue | undefined): void {
  if (v !== undefined && v !== null && v !== '') out.push({ name, type: 'none', value: pyText(v) });
}
export function pushInt(out: Trait[], name: string, v: PyValue | undefined): void {
  if (v !== undefined && v !== null && v !== '') out.push({ name, type: 'int', value: pyInt(v) });
}
export function pushFloat(out: Trait[], name: string, v: PyValue | undefined): void {
  if (v !== undefined && v !== null && v !== '') out.push({ name, type: 'float', value: pyFloat(v) });
}
export function pushDatetime(out: Trait[], name: string, v: PyValue | undefined): void {
  if (v !== undefined && v !== null && v !== '') out.push({ name, type: 'datetime', value: isoToNaiveUtc(v) });
}

/** Where a definition is written, so runtime errors can name the rule. */
export interface DefinitionSite {
  /** -1 for the built-in catch-all. */
  index: number;
  label: string;
  location: string;
}

/** A definition that has glob patterns, in match order; only its glob includes are listed. */
export interface GlobEntry {
  def: number;
  include: readonly RegExp[];
  exclude: ReadonlyArray<RegExp | string>;
}

/** What a generated decoders module exports. */
export interface CompiledRules {
  source: { path: string; sha256: string };
  definitions: readonly DefinitionSite[];
  builtin: DefinitionSite;
  /** Winner (definition index, or -1 for none in the file) of every literal event type. */
  exact: ReadonlyMap<string, number>;
  globs: readonly GlobEntry[];
  hasCatchAll: boolean;
  /** True when some file definition has an include pattern. */
  fileCallsFnmatch: boolean;
  /** Trait functions by definition index. */
  traits: ReadonlyArray<(body: PyDict) => Trait[]>;
  builtinTraits: (body: PyDict) => Trait[];
  /** What each definition's traits read of the body, by definition index (the wire reader converts only that). */
  reads: readonly ReadTree[];
  builtinReads: ReadTree;
}

const NONE = -1;
const BUILTIN = -2;
const CACHE_LIMIT = 4096;

function globWinner(globs: readonly GlobEntry[], t: string): number {
  for (const g of globs) {
    if (!g.include.some((re) => re.test(t))) continue;
    if (g.exclude.some((x) => (typeof x === 'string' ? x === t : x.test(t)))) continue;
    return g.def;
  }
  return NONE;
}

/** Dispatch: exact table first, then the glob list (memoised per event type, bounded). */
export function compiledMatcher(rules: CompiledRules, dropUnmatched = false): DefinitionMatcher<number> {
  const useBuiltin = !dropUnmatched && !rules.hasCatchAll;
  const seen = new Map<string, number>();
  return {
    callsFnmatch: rules.fileCallsFnmatch || useBuiltin,
    match(eventType: string): number | null {
      let w = rules.exact.get(eventType) ?? seen.get(eventType);
      if (w === undefined) {
        w = globWinner(rules.globs, eventType);
        if (seen.size >= CACHE_LIMIT) seen.clear();
        seen.set(eventType, w);
      }
      if (w !== NONE) return w;
      return useBuiltin ? BUILTIN : null;
    },
    traits(def: number, body: PyDict): Trait[] {
      return def === BUILTIN ? rules.builtinTraits(body) : rules.traits[def]!(body);
    },
    reads(def: number): ReadTree {
      return def === BUILTIN ? rules.builtinReads : rules.reads[def]!;
    },
    describe(def: number): string {
      const site = def === BUILTIN ? rules.builtin : rules.definitions[def]!;
      return `${site.location} (${site.label})`;
    },
  };
}

function noneMatch(): never {
  throw new PyError('AttributeError', "'NoneType' object has no attribute 'value'");
}

/** The converter's `[m.value for m in matches]` then the first non-null one. */
export function firstValue(ms: readonly Match[]): PyValue | undefined {
  let first: PyValue | undefined;
  for (const m of ms) {
    if (m === null) noneMatch();
    if (first === undefined && m.value !== null) first = m.value;
  }
  return first;
}

/** The non-null matches with their path strings, as handed to a trait plugin. */
export function pluginMatches(ms: readonly Match[]): PluginMatch[] {
  const out: PluginMatch[] = [];
  for (const m of ms) {
    if (m === null) noneMatch();
    if (m.value !== null) out.push([pathString(m), m.value]);
  }
  return out;
}
