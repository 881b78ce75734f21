// settings.ini: configparser reading, Python literals, the runtime sections' schema and the
// [NOTIFY_MANAGER] transformer list with its `@` references type-checked against the
// definitions each entry can reach (transform.md §2.2).
import { createHash } from 'node:crypto';
import { SourceFile, type Span } from '../source.js';
import { DiagnosticBag } from '../diagnostics.js';
import { TransformCodes as C } from '../messages.js';
import { readIni, type IniOption, type IniValue } from '../../runtime/config/ini.js';
import { readRuntimeOptions, transformerDigest } from '../../runtime/config/settings.js';
import { LiteralError, literalValue, parsePyLiteral, type LitNode } from '../../runtime/config/pyliteral.js';
import { SINKS } from '../../runtime/config/schema.js';
import type { AddressKind } from '../../runtime/semantics/address.js';
import type { PyValue } from '../../runtime/semantics/pyvalue.js';
import { winnerFinder, type EventDef, type RuleSet } from '../model.js';
import { location } from '../source.js';
import type { Settings, Template, Transformer } from '../transform-model.js';
import { compileGlob, globLiteral, parseGlob } from '../../runtime/semantics/glob.js';
import { closest, didYouMean } from '../../runtime/config/suggest.js';

const ENTRY_KEYS = ['event_type', 'event_define'];
const DEFINE_KEYS = ['event_type', 'traits'];
const FIELDS = ['event_type', 'message_id', 'generated'] as const;

export function loadSettings(path: string, text: string, rules: RuleSet, dropUnmatched = false): { settings: Settings | null; diagnostics: DiagnosticBag } {
  const file = new SourceFile(path, text);
  const diags = new DiagnosticBag();
  const span = (start: number, end: number): Span => ({ file, start, end: Math.max(end, start) });
  const ini = readIni(file);
  const valueSpan = (v: IniValue, a: number, b: number): Span => span(v.offsets[a] ?? v.offsets[v.offsets.length - 1]!, (v.offsets[Math.max(a, b - 1)] ?? v.offsets[v.offsets.length - 1]!) + 1);
  const nodeSpan = (v: IniValue, n: { start: number; end: number }): Span => valueSpan(v, n.start, n.end);

  const runtime = readRuntimeOptions(ini);
  for (const p of runtime.problems) {
    const notes = p.first ? [{ message: 'first declared here', span: span(p.first.start, p.first.end) }] : [];
    diags.error(p.code, p.message, span(p.start ?? 0, p.end ?? 0), notes);
  }
  const options = runtime.values;
  let digest = transformerDigest([]);
  const transformers = runtime.transformer ? checkTransformers(runtime.transformer) : [];

  function checkTransformers(opt: IniOption): Transformer[] {
    const v = opt.value;
    let root: LitNode;
    try {
      root = parsePyLiteral(v.text);
    } catch (e) {
      if (!(e instanceof LiteralError)) throw e;
      diags.error(C.LiteralSyntax, `transformer is not a valid Python literal: ${e.message}`, valueSpan(v, e.start, e.end));
      return [];
    }
    digest = transformerDigest(literalValue(root));
    if (root.kind !== 'list') {
      diags.error(C.TransformerShape, 'transformer must be a list of {event_type, event_define} dicts', nodeSpan(v, root));
      return [];
    }
    const out: Transformer[] = [];
    root.items.forEach((item, index) => {
      const t = checkEntry(item, index, v);
      if (t) out.push(t);
    });
    return out;
  }

  function dictEntries(n: LitNode, v: IniValue, what: string, allowed: string[]): Map<string, LitNode> | null {
    if (n.kind !== 'dict') {
      diags.error(C.TransformerShape, `${what} must be a dict`, nodeSpan(v, n));
      return null;
    }
    const m = new Map<string, LitNode>();
    for (const e of n.entries) {
      if (!allowed.includes(e.key.value)) diags.error(C.UnknownKey, `unknown key '${e.key.value}' in ${what} (allowed: ${allowed.join(', ')})${didYouMean(e.key.value, allowed)}`, nodeSpan(v, e.key));
      m.set(e.key.value, e.value);
    }
    for (const k of allowed) if (!m.has(k)) diags.error(C.MissingKey, `${what} has no '${k}'`, nodeSpan(v, n));
    return m;
  }

  function patterns(n: LitNode, v: IniValue): string[] | null {
    const items = n.kind === 'str' ? [n] : n.kind === 'list' ? n.items : null;
    if (!items || items.some((x) => x.kind !== 'str') || items.length === 0) {
      diags.error(C.TransformerShape, "'event_type' must be a string or a non-empty list of strings (fnmatch patterns, '!' excludes)", nodeSpan(v, n));
      return null;
    }
    return items.map((x) => (x as { value: string }).value);
  }

  function checkEntry(item: LitNode, index: number, v: IniValue): Transformer | null {
    const entry = dictEntries(item, v, `transformer entry ${index + 1}`, ENTRY_KEYS);
    if (!entry) return null;
    const et = entry.get('event_type');
    const define = entry.get('event_define');
    const pats = et ? patterns(et, v) : null;
    if (!pats || !define) return null;
    const d = dictEntries(define, v, `'event_define' of entry ${index + 1}`, DEFINE_KEYS);
    if (!d) return null;
    const sinkNode = d.get('event_type');
    const traitsNode = d.get('traits');
    if (!sinkNode || !traitsNode) return null;
    if (sinkNode.kind !== 'str' || !SINKS[sinkNode.value]) {
      const name = sinkNode.kind === 'str' ? sinkNode.value : '(not a string)';
      diags.error(C.UnknownSink, `unknown sink '${name}': the output event_type must name a sink (known: ${Object.keys(SINKS).join(', ')})${didYouMean(name, Object.keys(SINKS))}`, nodeSpan(v, sinkNode));
      return null;
    }
    if (traitsNode.kind !== 'dict') {
      diags.error(C.TransformerShape, "'traits' of a websocket.send output must be a dict (toid, message, …)", nodeSpan(v, traitsNode));
      return null;
    }
    const sink = SINKS[sinkNode.value]!;
    for (const req of sink.required) {
      if (!traitsNode.entries.some((e) => e.key.value === req)) diags.error(C.SinkMissingKey, `${sinkNode.value} output has no '${req}' (it needs ${sink.required.map((r) => `'${r}'`).join(' and ')} and an address)`, nodeSpan(v, traitsNode));
    }
    checkAddresses(sinkNode.value, sink.addresses, traitsNode, v);
    const included = pats.filter((p) => !p.startsWith('!'));
    const excluded = pats.filter((p) => p.startsWith('!')).map((p) => p.slice(1));
    if (!included.length && excluded.length) included.push('*');
    const label = pats.join(', ');
    const entrySpan = nodeSpan(v, et!);
    const reachable = reachableDefinitions(rules, included, dropUnmatched);
    if (reachable.length === 0) diags.warning(C.NeverMatches, `no event definition decodes '${label}' (with drop_unmatched): this entry never fires`, entrySpan);
    else if (reachable.every((r) => r.index < 0)) diags.warning(C.OnlyCatchAll, `'${label}' reaches only the built-in catch-all: only the default traits (${reachable[0]!.traits.map((t) => t.name).join(', ')}) exist there`, entrySpan);
    const template = checkTemplate(traitsNode, v, reachable, label);
    return { index, span: entrySpan, included, excluded, label, sink: sinkNode.value, template, reachable };
  }

  function checkTemplate(n: LitNode, v: IniValue, reachable: EventDef[], label: string): Template {
    switch (n.kind) {
      case 'dict':
        return { kind: 'dict', entries: n.entries.map((e) => [e.key.value, checkTemplate(e.value, v, reachable, label)]) };
      case 'list':
        return { kind: 'list', items: n.items.map((x) => checkTemplate(x, v, reachable, label)) };
      case 'str': {
        const s = n.value;
        if (!s.startsWith('@')) return { kind: 'literal', value: s };
        if (s.startsWith('@@')) return { kind: 'literal', value: s.slice(1) };
        const sp = nodeSpan(v, n);
        if (s.startsWith('@traits.')) {
          const name = s.slice('@traits.'.length);
          if (!name) {
            diags.error(C.BadReference, "'@traits.' needs a trait name", sp);
            return { kind: 'literal', value: null };
          }
          checkTrait(name, sp, reachable, label);
          return { kind: 'trait', name, span: sp };
        }
        const field = s.slice(1);
        if ((FIELDS as readonly string[]).includes(field)) return { kind: 'field', field: field as (typeof FIELDS)[number], span: sp };
        diags.error(C.BadReference, `unknown reference '${s}': use @traits.<name>, @event_type, @message_id or @generated (write '@@' for a literal '@')${didYouMean(s, ['@traits.', ...FIELDS.map((f) => '@' + f)])}`, sp);
        return { kind: 'literal', value: null };
      }
      default:
        return { kind: 'literal', value: literalValue(n) };
    }
  }

  /** Each address key names one kind of audience; its value must be ids (strings) or references. */
  function checkAddresses(sinkName: string, keys: Readonly<Record<string, AddressKind>>, traitsNode: Extract<LitNode, { kind: 'dict' }>, v: IniValue): void {
    const present = traitsNode.entries.filter((e) => e.key.value in keys);
    if (!present.length) {
      const list = Object.entries(keys).map(([k, kind]) => `'${k}' (${kind}s)`).join(' or ');
      diags.error(C.SinkMissingKey, `${sinkName} output has no address: it needs ${list}`, nodeSpan(v, traitsNode));
    }
    for (const e of present) {
      const kind = keys[e.key.value]!;
      const items = e.value.kind === 'list' ? e.value.items : [e.value];
      for (const item of items) {
        if (item.kind !== 'str') {
          diags.error(C.BadAddress, `'${e.key.value}' holds ${kind} ids: a string, an @ reference, or a list of them`, nodeSpan(v, item));
          continue;
        }
        const s = item.value;
        if (s.startsWith('@') && !s.startsWith('@@')) continue;
        const literal = s.startsWith('@@') ? s.slice(1) : s;
        const prefix = literal.startsWith('project:') ? 'project:' : literal.startsWith('user:') ? 'user:' : null;
        if (!prefix) continue;
        const other = Object.entries(keys).find(([, k]) => k === prefix.slice(0, -1));
        const hint = other && other[1] !== kind ? `; to address the ${other[1]} '${literal.slice(prefix.length)}' write '${other[0]}': '${literal.slice(prefix.length)}'` : `; write '${literal.slice(prefix.length)}'`;
        diags.warning(C.AddressPrefix, `'${literal}' in '${e.key.value}' is the ${kind} id '${literal}': Herald reads no prefix in an address, the key decides the kind${hint}`, nodeSpan(v, item));
      }
    }
  }

  function checkTrait(name: string, sp: Span, reachable: EventDef[], label: string): void {
    if (!reachable.length) return;
    const has = reachable.filter((d) => d.traits.some((t) => t.name === name));
    const where = (d: EventDef): string => `'${d.label}' (${location(d.span)})`;
    if (!has.length) {
      const names = reachable.flatMap((d) => d.traits.map((t) => t.name));
      const hint = closest(name, names);
      diags.error(
        C.UnknownTrait,
        `unknown trait '${name}': no definition that decodes '${label}' produces it (${reachable.map(where).join(', ')})${hint.length ? `; did you mean ${hint.map((h) => `'${h}'`).join(' or ')}?` : ''}`,
        sp,
      );
    } else if (has.length < reachable.length) {
      diags.warning(C.TraitInSomeDefinitions, `trait '${name}' exists only in some definitions that decode '${label}': ${reachable.filter((d) => !has.includes(d)).map(where).join(', ')} lack it (null there)`, sp);
    }
  }

  const hasErrors = diags.hasErrors;
  const sha256 = createHash('sha256').update(text).digest('hex');
  return { settings: hasErrors ? null : { path, sha256, transformerDigest: digest, transformers, options }, diagnostics: diags };
}

/** A string the pattern accepts, with every `*` replaced by `star`. */
function fill(pattern: string, star: string): string {
  return parseGlob(pattern)
    .map((t) => (t.kind === 'star' ? star : t.kind === 'any' ? 'x' : t.kind === 'literal' ? t.text : t.kind === 'class' && !t.negated && t.items.length ? String.fromCodePoint(t.items[0]![0]) : 'x'))
    .join('');
}

const chunks = (pattern: string): string[] => parseGlob(pattern).flatMap((t) => (t.kind === 'literal' ? [t.text] : []));

/** Event types both patterns accept, found by filling each one's wildcards with the other's text. */
function witnesses(a: string, b: string): string[] {
  const candidates = new Set<string>([fill(a, ''), fill(b, ''), fill(a, 'x'), fill(b, 'x')]);
  for (const c of chunks(b)) candidates.add(fill(a, c));
  for (const c of chunks(a)) candidates.add(fill(b, c));
  const ga = compileGlob(a);
  const gb = compileGlob(b);
  return [...candidates].filter((w) => ga(w) && gb(w));
}

/**
 * The definitions that can decode an event the entry's patterns accept: for a literal event type
 * the one winner, for a glob every definition that wins for some type both accept (witness
 * event types are built from the two patterns, so every definition listed really can win).
 */
export function reachableDefinitions(rules: RuleSet, included: string[], dropUnmatched: boolean): EventDef[] {
  const winner = winnerFinder(rules, true);
  const useBuiltin = !dropUnmatched && !rules.definitions.some((d) => d.isCatchAll);
  const out = new Set<EventDef>();
  for (const p of included) {
    const lit = globLiteral(parseGlob(p));
    if (lit !== null) {
      const w = winner(lit);
      if (w) out.add(w);
      else if (useBuiltin) out.add(rules.builtinCatchAll);
      continue;
    }
    // A definition counts when some event type both patterns accept makes it the winner. The
    // built-in catch-all counts only when no file definition can win: listing it beside real
    // definitions would flag every trait of a glob entry.
    for (const d of rules.definitions) {
      for (const i of d.included) {
        for (const w of witnesses(p, i)) {
          const win = winner(w);
          if (win) out.add(win);
        }
      }
    }
    if (!out.size) {
      const w = fill(p, 'x');
      const win = winner(w);
      if (win) out.add(win);
      else if (useBuiltin) out.add(rules.builtinCatchAll);
    }
  }
  return [...out];
}
