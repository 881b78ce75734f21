// `herald explain`: one notification through the rules, shown step by step for rule authors.
import type { EventDef, RuleSet } from './model.js';
import { matchOrder } from './model.js';
import { location } from './source.js';
import type { Settings } from './transform-model.js';
import { traitRawValue, interpreter } from './interpret/decode.js';
import { interpretTransform, matchesTransformer } from './interpret/transform.js';
import { compileGlob } from '../runtime/semantics/glob.js';
import { decodeLine, makeTrait, toDispatched, traitValueJson } from '../runtime/semantics/event.js';
import { parsePyJson, dumpPyJson } from '../runtime/semantics/pyjson.js';
import { PyError } from '../runtime/semantics/pyvalue.js';
import { pyRepr } from '../runtime/semantics/pyrepr.js';
import { dumpsTemplateOrder } from '../runtime/semantics/transform.js';
import { audienceOf, type Audience } from '../runtime/semantics/address.js';
import { SINKS } from '../runtime/config/schema.js';

/** Who receives an output, by kind (the template key decides it, never the value). */
function audienceLine(a: Audience): string {
  if (!a.users.length && !a.projects.length) return 'to nobody: no address has a value, not delivered';
  const part = (kind: string, ids: string[]): string[] => (ids.length ? [`${kind} ${ids.map((id) => JSON.stringify(id)).join(', ')}`] : []);
  return `to ${[...part('users', a.users), ...part('projects', a.projects)].join(' and ')}`;
}

const defName = (d: EventDef): string => `'${d.label}' (${location(d.span)})`;

export function explain(rules: RuleSet, settings: Settings | null, line: string): string {
  const out: string[] = [];
  const result = decodeLine(interpreter(rules), line);
  let body;
  try {
    body = toDispatched(parsePyJson(line)).body;
  } catch (e) {
    return `input: not a notification Herald can read: ${(e as Error).message}\n`;
  }
  const eventType = body.get('event_type');
  out.push(`event_type: ${pyRepr(eventType ?? null)}`);
  let winner: EventDef | null = null;
  if (typeof eventType === 'string') {
    const order = matchOrder(rules, false);
    out.push('definitions (last matching one wins):');
    let misses = 0;
    for (const d of order) {
      const inc = d.included.some((p) => compileGlob(p)(eventType));
      const exc = d.excluded.find((p) => compileGlob(p)(eventType));
      if (!inc) {
        misses++;
        continue;
      }
      if (exc) out.push(`  ${defName(d)}: excluded by '!${exc}'`);
      else if (!winner) {
        winner = d;
        out.push(`  ${defName(d)}: WINS`);
      } else out.push(`  ${defName(d)}: matches, but ${defName(winner)} wins (definitions are tried last-in-file first)`);
    }
    out.push(`  (${misses} other definition${misses === 1 ? '' : 's'} do not match)`);
  }
  if (winner) {
    out.push(`traits of ${defName(winner)}:`);
    for (const t of winner.traits) {
      const from = t.getter.kind === 'const' ? `constant ${String(t.getter.value)}` : t.getter.source;
      let shown: string;
      try {
        const raw = traitRawValue(t, body);
        const trait = makeTrait(t.name, t.type, raw);
        shown = trait ? `${dumpPyJson(raw ?? null)} -> ${t.type} ${traitValueJson(trait)}` : `${raw === undefined ? 'no match' : dumpPyJson(raw)} -> absent`;
      } catch (e) {
        if (!(e instanceof PyError)) throw e;
        shown = `ERROR ${e.message} (the whole notification is dropped)`;
      }
      out.push(`  ${t.name}: ${t.type} from ${from} (${location(t.span)}) = ${shown}`);
    }
  }
  out.push(`decoded: ${result.kind === 'event' ? 'an event' : result.kind === 'dropped' ? `dropped: ${result.reason}` : `dropped on error: ${result.error}`}`);
  if (settings && result.kind === 'event') {
    out.push('transformers:');
    settings.transformers.forEach((t) => {
      const hit = matchesTransformer(t, result.event.event_type);
      out.push(`  entry ${t.index + 1} '${t.label}' (${location(t.span)}): ${hit ? 'matches' : 'does not match'}`);
    });
    for (const o of interpretTransform(settings.transformers, result.event)) {
      out.push(`  -> ${o.event_type}: ${dumpsTemplateOrder(o.traits)}`);
      const keys = SINKS[o.event_type]?.addresses;
      if (keys && o.traits instanceof Map) out.push(`     ${audienceLine(audienceOf(o.traits, keys))}`);
    }
  }
  return out.join('\n') + '\n';
}
