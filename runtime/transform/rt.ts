// Everything generated transformers call, and the dispatch that turns a generated transformers
// module into "decoded event -> outputs". Templates are compiled into the generated functions;
// this module only reads traits and picks which entries fire.
import type { DecodedEvent, Trait } from '../semantics/event.js';
import type { PyValue } from '../semantics/pyvalue.js';
import { traitOutput, type Output } from '../semantics/transform.js';

export { PyFloat, type PyValue } from '../semantics/pyvalue.js';
export type { DecodedEvent } from '../semantics/event.js';
export type { Output } from '../semantics/transform.js';

type KeysOf<U> = U extends unknown ? keyof U : never;

/** The trait names any of the definitions in the union U produces. */
export type AnyOf<U> = { readonly [K in KeysOf<U> & string]?: unknown };

/** For an entry no definition reaches: any name (the compiler already warned). */
export type AnyTraits = { readonly [name: string]: unknown };

/** Read access to a decoded event's traits; only names of T type-check. */
export interface TraitView<T> {
  get(name: keyof T & string): PyValue;
}

/** A decoded event's traits as templates read them (the last trait of a name wins). */
export class EventTraits {
  constructor(private readonly traits: readonly Trait[]) {}
  get(name: string): PyValue {
    // A handful of traits per event: a backward scan beats building a Map.
    for (let i = this.traits.length - 1; i >= 0; i--) if (this.traits[i]!.name === name) return traitOutput(this.traits[i]);
    return null;
  }
}

export interface TransformerSite {
  /** Position in the transformer list. */
  index: number;
  /** settings.ini:line:col of the entry's event_type. */
  location: string;
  label: string;
  sink: string;
  /** Literal event types as strings, globs as regular expressions. */
  include: ReadonlyArray<RegExp | string>;
  exclude: ReadonlyArray<RegExp | string>;
  run(e: DecodedEvent, traits: TraitView<AnyTraits>): PyValue;
}

/** What a generated transformers module exports. */
export interface CompiledTransforms {
  source: { path: string; sha256: string; transformerDigest: string };
  /** sha256 of the event definitions the templates were typed against. */
  definitionsSha256: string;
  transformers: readonly TransformerSite[];
  /** Entries that fire for each literal event type of either rule file, in list order. */
  exact: ReadonlyMap<string, readonly number[]>;
}

const CACHE_LIMIT = 4096;

const accepts = (eventType: string) => (p: RegExp | string): boolean => (typeof p === 'string' ? p === eventType : p.test(eventType));

function fires(t: TransformerSite, eventType: string): boolean {
  return t.include.some(accepts(eventType)) && !t.exclude.some(accepts(eventType));
}

/** Decoded event -> one output per entry that fires, in file order. */
export function compiledTransformer(ct: CompiledTransforms): (e: DecodedEvent) => Output[] {
  const seen = new Map<string, readonly number[]>();
  return (e) => {
    let which = ct.exact.get(e.event_type) ?? seen.get(e.event_type);
    if (which === undefined) {
      which = ct.transformers.filter((t) => fires(t, e.event_type)).map((t) => t.index);
      if (seen.size >= CACHE_LIMIT) seen.clear();
      seen.set(e.event_type, which);
    }
    if (which.length === 0) return [];
    const traits = new EventTraits(e.traits);
    return which.map((i) => {
      const t = ct.transformers[i]!;
      return { event_type: t.sink, traits: t.run(e, traits), rule: t.location };
    });
  };
}
