// The rule catalogue: a human-readable page of what the compiled rules do, for operators and
// UI developers. Rendered with handlebars, whose {{…}} HTML-escapes every rule-authored string.
import { readFileSync } from 'node:fs';
import Handlebars from 'handlebars';
import type { EventDef, RuleSet } from '../model.js';
import { literalEventTypes, patternMatcher, winnerFinder } from '../model.js';
import { location } from '../source.js';
import type { Settings, Template, Transformer } from '../transform-model.js';
import { globLiteral, parseGlob } from '../../runtime/semantics/glob.js';
import { dumpsTemplateOrder } from '../../runtime/semantics/transform.js';
import { SINKS } from '../../runtime/config/schema.js';

const render = Handlebars.compile(readFileSync(new URL('./catalogue.hbs', import.meta.url), 'utf8'), { strict: true });

/** A template as the UI will see it, with ‹name: type› where a value comes from the event. */
function preview(t: Template, def: EventDef | null, indent: string): string {
  const inner = indent + '  ';
  switch (t.kind) {
    case 'literal':
      return dumpsTemplateOrder(t.value);
    case 'trait': {
      const trait = def?.traits.find((x) => x.name === t.name);
      return `‹${t.name}: ${trait ? trait.type : 'null here'}›`;
    }
    case 'field':
      return `‹@${t.field}›`;
    case 'list':
      return t.items.length ? `[\n${t.items.map((x) => inner + preview(x, def, inner)).join(',\n')}\n${indent}]` : '[]';
    case 'dict':
      return t.entries.length ? `{\n${t.entries.map(([k, x]) => `${inner}${JSON.stringify(k)}: ${preview(x, def, inner)}`).join(',\n')}\n${indent}}` : '{}';
  }
}

/** The push frame (websocket.md §2): the output's traits without the address keys, and its audience by kind. */
function framePreview(t: Transformer, def: EventDef | null): { frame: string; audience: string } {
  const entries = t.template.kind === 'dict' ? t.template.entries : [];
  const keys = SINKS[t.sink]?.addresses ?? {};
  const data: Template = { kind: 'dict', entries: entries.filter(([k]) => !(k in keys)) };
  const audience = entries.filter(([k]) => k in keys).map(([k, x]) => `${keys[k]}s ${preview(x, def, '')} (${k})`);
  return { frame: `{\n  "type": "push",\n  "seq": ‹n›,\n  "data": ${preview(data, def, '  ')}\n}`, audience: audience.length ? audience.join('; ') : 'nobody' };
}

const traitRows = (d: EventDef) => d.traits.map((t) => ({ name: t.name, type: t.type, from: t.getter.kind === 'path' ? t.getter.source : `constant ${JSON.stringify(t.getter.value)}` }));

export function renderCatalogue(rules: RuleSet, settings: Settings | null): string {
  const winner = winnerFinder(rules, false);
  const transformers = settings?.transformers ?? [];
  const firing = transformers.map((t) => ({ t, accepts: patternMatcher(t) }));
  const eventTypes = literalEventTypes(rules.definitions, transformers).map((eventType, i) => {
    const def = winner(eventType);
    return {
      eventType,
      anchor: `event-${i}`,
      definition: def && { label: def.label, location: location(def.span), traits: traitRows(def) },
      transformers: firing.filter((f) => f.accepts(eventType)).map(({ t }) => ({ number: t.index + 1, location: location(t.span), sink: t.sink, ...framePreview(t, def) })),
    };
  });
  const patterns = rules.definitions
    .filter((d) => d.included.some((p) => globLiteral(parseGlob(p)) === null))
    .map((d) => ({
      label: d.label,
      location: location(d.span),
      globs: [...d.included.filter((p) => globLiteral(parseGlob(p)) === null), ...d.excluded.map((p) => '!' + p)],
      transformers: transformers.filter((t) => t.reachable.includes(d)).map((t) => `entry ${t.index + 1} (${location(t.span)})`),
    }));
  return render({
    definitions: { path: rules.path, count: rules.definitions.length },
    settings: settings && { path: settings.path, count: transformers.length },
    eventTypes,
    patterns,
  });
}
