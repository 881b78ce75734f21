// The reference transformer: evaluates each matching entry's template against a decoded event.
import type { DecodedEvent, Trait } from '../../runtime/semantics/event.js';
import type { PyValue } from '../../runtime/semantics/pyvalue.js';
import { patternMatcher } from '../model.js';
import { location } from '../source.js';
import { traitOutput, type Output } from '../../runtime/semantics/transform.js';
import type { Template, Transformer } from '../transform-model.js';

export function evaluateTemplate(t: Template, e: DecodedEvent, traits: Map<string, Trait>): PyValue {
  switch (t.kind) {
    case 'literal':
      return t.value;
    case 'trait':
      return traitOutput(traits.get(t.name));
    case 'field':
      return t.field === 'message_id' ? e.message_id : t.field === 'event_type' ? e.event_type : e.generated;
    case 'list':
      return t.items.map((x) => evaluateTemplate(x, e, traits));
    case 'dict':
      return new Map(t.entries.map(([k, x]) => [k, evaluateTemplate(x, e, traits)]));
  }
}

// Patterns are compiled once per transformer, not once per event.
const matchers = new WeakMap<Transformer, (eventType: string) => boolean>();

export function matchesTransformer(t: Transformer, eventType: string): boolean {
  let accepts = matchers.get(t);
  if (!accepts) matchers.set(t, (accepts = patternMatcher(t)));
  return accepts(eventType);
}

/** Every entry whose event_type matches produces one output, in file order. */
export function interpretTransform(transformers: Transformer[], e: DecodedEvent): Output[] {
  const traits = new Map(e.traits.map((t) => [t.name, t]));
  return transformers.filter((t) => matchesTransformer(t, e.event_type)).map((t) => ({ event_type: t.sink, traits: evaluateTemplate(t.template, e, traits), rule: location(t.span) }));
}
