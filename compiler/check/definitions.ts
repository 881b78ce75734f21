// From the YAML tree to the checked rule model, with Ceilometer's load-time errors
// (converter.py EventDefinition/TraitDefinition, declarative.Definition) as diagnostics.
import { createHash } from 'node:crypto';
import { DiagnosticBag } from '../diagnostics.js';
import { Codes } from '../messages.js';
import { SourceFile, type Span } from '../source.js';
import { parseYaml, toPy, pyKeyText, describeKey, type YNode } from '../parse/yaml.js';
import { parseJsonPath, JsonPathError } from '../parse/jsonpath.js';
import { walkPath, type JsonPath } from '../jsonpath-ast.js';
import type { EventDef, Getter, Plugin, RuleSet, TraitDef, TraitType } from '../model.js';
import { pyRepr, pyStr } from '../../runtime/semantics/pyrepr.js';
import { pyInt } from '../../runtime/semantics/pyconvert.js';
import { PyError, isInt, type PyValue } from '../../runtime/semantics/pyvalue.js';
import { checkShadowing } from './shadowing.js';

const DEFAULT_TRAITS: Array<[string, string[]]> = [
  ['service', ['publisher_id']],
  ['request_id', ['ctxt.request_id']],
  ['project_id', ['payload.tenant_id', 'ctxt.project_id']],
  ['user_id', ['payload.user_id', 'ctxt.user_id']],
  ['tenant_id', ['payload.tenant_id', 'ctxt.project_id']],
];
const TRAIT_TYPES: Record<string, TraitType> = { NONE: 'none', TEXT: 'text', INT: 'int', FLOAT: 'float', DATETIME: 'datetime' };
const ROOTS = new Set(['ctxt', 'publisher_id', 'event_type', 'payload', 'metadata']);
const PLUGINS = ['split', 'bitfield', 'timedelta', 'map'];

export interface LoadResult {
  rules: RuleSet | null;
  diagnostics: DiagnosticBag;
}

/** Load and check an event definitions file's text. */
export function loadDefinitions(path: string, text: string): LoadResult {
  const file = new SourceFile(path, text);
  const diags = new DiagnosticBag();
  const { root } = parseYaml(file, diags);
  const sha256 = createHash('sha256').update(text).digest('hex');
  if (diags.hasErrors) return { rules: null, diagnostics: diags };
  const whole: Span = { file, start: 0, end: Math.min(text.length, 1) };
  if (root === null || root.kind === 'null') {
    diags.error(Codes.EmptyFile, 'the definitions file is empty: Ceilometer fails to start on it (TypeError: NoneType is not reversible); write [] for no definitions', whole);
    return { rules: null, diagnostics: diags };
  }
  let items: YNode[];
  if (root.kind === 'seq') items = root.items;
  else if (root.kind === 'map' && root.entries.length === 0) items = [];
  else {
    diags.error(Codes.TopLevelNotList, `the top level must be a list of event definitions, found ${kindName(root)}`, root.span);
    return { rules: null, diagnostics: diags };
  }
  const definitions: EventDef[] = [];
  items.forEach((item, index) => {
    const def = checkDefinition(item, index, diags);
    if (def) definitions.push(def);
  });
  const builtinCatchAll: EventDef = {
    index: -1,
    span: whole,
    included: ['*'],
    excluded: [],
    isCatchAll: true,
    traits: defaultTraits(whole),
    label: "built-in catch-all '*'",
  };
  if (diags.hasErrors) return { rules: null, diagnostics: diags };
  const rules: RuleSet = { path, sha256, definitions, builtinCatchAll };
  checkShadowing(rules, diags);
  return { rules, diagnostics: diags };
}

function kindName(n: YNode): string {
  switch (n.kind) {
    case 'seq':
      return 'a list';
    case 'map':
      return 'a mapping';
    case 'str':
      return `the string '${n.value}'`;
    default:
      return describeKey(n);
  }
}

function getEntry(map: Extract<YNode, { kind: 'map' }>, key: string): YNode | undefined {
  return map.entries.find((e) => e.key.kind === 'str' && e.key.value === key)?.value;
}

// Parsed once: every definition shares these getters (the AST is never mutated).
const DEFAULT_GETTERS: Array<[string, Getter]> = DEFAULT_TRAITS.map(([name, fields]) => {
  const source = fields.length === 1 ? fields[0]! : fields.map((f) => `(${f})`).join('|');
  return [name, { kind: 'path', source, path: parseJsonPath(source) }];
});

function defaultTraits(span: Span): TraitDef[] {
  return DEFAULT_GETTERS.map(([name, getter]) => ({ name, type: 'text' as TraitType, getter, plugin: null, span, isDefault: true }));
}

function checkDefinition(node: YNode, index: number, diags: DiagnosticBag): EventDef | null {
  if (node.kind !== 'map') {
    diags.error(Codes.DefinitionNotMapping, `each event definition must be a mapping with 'event_type' and 'traits', found ${kindName(node)}`, node.span);
    return null;
  }
  for (const e of node.entries) {
    const k = e.key.kind === 'str' ? e.key.value : null;
    if (k !== 'event_type' && k !== 'traits') {
      diags.warning(Codes.UnknownKey, `unknown key ${describeKey(e.key)} in an event definition is ignored (only 'event_type' and 'traits' are read)`, e.key.span);
    }
  }
  const eventType = getEntry(node, 'event_type');
  const traits = getEntry(node, 'traits');
  for (const [name, v] of [['event_type', eventType], ['traits', traits]] as const) {
    if (v === undefined) {
      diags.error(Codes.MissingRequiredField, `Required field ${name} not specified`, node.span);
      return null;
    }
  }
  // event_type: a string, or a list of strings ('!' = exclusion).
  const patterns: Array<{ text: string; span: Span }> = [];
  if (eventType!.kind === 'str') patterns.push({ text: eventType!.value, span: eventType!.span });
  else if (eventType!.kind === 'seq') {
    for (const it of eventType!.items) {
      if (it.kind !== 'str') diags.error(Codes.EventTypeNotString, `event_type entries must be strings, found ${kindName(it)} (Ceilometer: AttributeError at start)`, it.span);
      else patterns.push({ text: it.value, span: it.span });
    }
  } else if (eventType!.kind === 'map') {
    diags.warning(Codes.EventTypeMapping, 'event_type is a mapping: Ceilometer uses its keys as the patterns; write a list', eventType!.span);
    for (const e of eventType!.entries) {
      if (e.key.kind !== 'str') diags.error(Codes.EventTypeNotString, `event_type entries must be strings, found ${kindName(e.key)}`, e.key.span);
      else patterns.push({ text: e.key.value, span: e.key.span });
    }
  } else {
    diags.error(Codes.EventTypeNotString, `event_type must be a string or a list of strings, found ${kindName(eventType!)}`, eventType!.span);
  }
  const included: string[] = [];
  const excluded: string[] = [];
  for (const p of patterns) (p.text.startsWith('!') ? excluded : included).push(p.text.startsWith('!') ? p.text.slice(1) : p.text);
  if (excluded.length && !included.length) included.push('*');
  if (patterns.length === 0 && eventType!.kind === 'seq' && eventType!.items.length === 0) {
    diags.warning(Codes.NeverMatches, 'an empty event_type list matches no event: this definition is never used', eventType!.span);
  }

  const traitDefs = defaultTraits(eventType!.span);
  if (traits!.kind === 'map') {
    for (const e of traits!.entries) {
      const name = e.key.kind === 'str' ? e.key.value : pyKeyText(e.key);
      const td = checkTrait(name, e.key.span, e.value, diags);
      if (!td) continue;
      if (e.mergedVia) td.mergedVia = e.mergedVia;
      const at = traitDefs.findIndex((t) => t.name === name);
      if (at >= 0) traitDefs[at] = td;
      else traitDefs.push(td);
    }
  } else if (!(traits!.kind === 'seq' && traits!.items.length === 0)) {
    diags.error(
      Codes.TraitsNotMapping,
      `traits must be a mapping of trait name to definition, found ${kindName(traits!)}${traits!.kind === 'null' ? " (write 'traits: {}' for default traits only)" : ''}`,
      traits!.span,
    );
  }
  const label = patterns.map((p) => p.text).join(', ') || '[]';
  return {
    index,
    span: eventType!.span,
    included,
    excluded,
    isCatchAll: included.includes('*') && excluded.length === 0,
    traits: traitDefs,
    label,
  };
}

function checkTrait(name: string, nameSpan: Span, cfg: YNode, diags: DiagnosticBag): TraitDef | null {
  let fieldsNode: YNode;
  let type: TraitType = 'text';
  let plugin: Plugin | null = null;
  if (cfg.kind === 'map') {
    const f = getEntry(cfg, 'fields');
    if (f === undefined) {
      diags.error(Codes.MissingFields, `The field 'fields' is required for ${name}`, cfg.span);
      return null;
    }
    fieldsNode = f;
    for (const e of cfg.entries) {
      const k = e.key.kind === 'str' ? e.key.value : null;
      if (k !== 'fields' && k !== 'type' && k !== 'plugin') {
        diags.warning(Codes.UnknownKey, `unknown key ${describeKey(e.key)} in trait '${name}' is ignored (known: fields, type, plugin)`, e.key.span);
      }
    }
    const pluginNode = getEntry(cfg, 'plugin');
    if (pluginNode !== undefined) {
      const p = checkPlugin(name, pluginNode, diags);
      if (p === undefined) return null;
      plugin = p;
    }
    const t = getEntry(cfg, 'type');
    if (t !== undefined) {
      if (t.kind !== 'str') {
        diags.error(Codes.InvalidTraitType, `Invalid trait type ${describeKey(t)} for trait ${name}: use text, int, float or datetime`, t.span);
        return null;
      }
      const resolved = TRAIT_TYPES[t.value.toUpperCase()];
      if (!resolved) {
        diags.error(Codes.InvalidTraitType, `Invalid trait type '${t.value}' for trait ${name}: use text, int, float or datetime`, t.span);
        return null;
      }
      type = resolved;
    }
  } else fieldsNode = cfg;

  const getter = checkFields(name, fieldsNode, diags);
  if (!getter) return null;
  return { name, type, getter, plugin, span: nameSpan, isDefault: false };
}

function checkFields(name: string, node: YNode, diags: DiagnosticBag): Getter | null {
  let source: string;
  const sourceSpan = node.span;
  let offsetBase: number | null = null;
  if (node.kind === 'seq') {
    if (node.items.length === 1) return checkFields(name, node.items[0]!, diags);
    source = node.items.map((it) => `(${pyStr(toPy(it))})`).join('|');
    if (node.items.length === 0) {
      diags.error(Codes.JsonPathSyntax, `Parse error in JSONPath specification '' for ${name}: an empty fields list`, node.span);
      return null;
    }
  } else if (node.kind === 'int' || node.kind === 'bool') {
    return { kind: 'const', value: node.value };
  } else if (node.kind === 'str') {
    source = node.value;
    offsetBase = contentStart(node);
  } else {
    diags.error(Codes.FieldsNotPath, `fields for ${name} must be a JSONPath string, a list of them, or an integer constant; found ${kindName(node)}`, node.span);
    return null;
  }
  let path: JsonPath;
  try {
    path = parseJsonPath(source);
  } catch (e) {
    if (!(e instanceof JsonPathError)) throw e;
    const at = offsetBase === null ? sourceSpan : { file: sourceSpan.file, start: offsetBase + e.span.start, end: offsetBase + Math.max(e.span.end, e.span.start + 1) };
    diags.error(Codes.JsonPathSyntax, `Parse error in JSONPath specification '${source}' for ${name}: ${e.message}`, at);
    return null;
  }
  lintPath(name, path, offsetBase, sourceSpan, diags);
  return { kind: 'path', source, path };
}

/** Offset of a scalar's first content character when the text maps 1:1 (plain or quoted, one line). */
function contentStart(node: Extract<YNode, { kind: 'str' }>): number | null {
  const raw = node.span.file.text.slice(node.span.start, node.span.end);
  if (raw.includes('\n') || raw.includes('\\') || raw.includes("''")) return null;
  if (raw === node.value) return node.span.start;
  if ((raw.startsWith('"') || raw.startsWith("'")) && raw.slice(1, -1) === node.value) return node.span.start + 1;
  return null;
}

function lintPath(name: string, path: JsonPath, base: number | null, span: Span, diags: DiagnosticBag): void {
  const at = (s: { start: number; end: number }): Span => (base === null ? span : { file: span.file, start: base + s.start, end: base + s.end });
  // The leftmost step of each alternative must be a root the converter provides.
  const roots = (p: JsonPath): JsonPath[] => {
    switch (p.kind) {
      case 'child':
      case 'descendants':
      case 'where':
        return roots(p.left);
      case 'union':
      case 'intersect':
        return [...roots(p.left), ...roots(p.right)];
      default:
        return [p];
    }
  };
  for (const r of roots(path)) {
    if (r.kind === 'fields' && !r.names.includes('*') && r.names.every((n) => !ROOTS.has(n))) {
      diags.warning(Codes.RootNeverMatches, `'${r.names.join(',')}' can never match in trait '${name}': paths start at ctxt, publisher_id, event_type, payload or metadata`, at(r.span));
    }
  }
  for (const n of walkPath(path)) {
    if (n.kind === 'intersect') {
      diags.warning(Codes.IntersectAlwaysFails, `'&' in trait '${name}' is not implemented by jsonpath-rw: every message this definition matches is dropped`, at(n.span));
    }
  }
}

/** BitfieldTraitPlugin computes `2 ** int(bit)` (so 2.0 and "3" work); null when that fails or is no bit. */
function flagBit(v: PyValue): number | null {
  try {
    const n = Number(pyInt(v));
    return n >= 0 && n <= 1023 ? n : null;
  } catch (e) {
    if (e instanceof PyError) return null;
    throw e;
  }
}

function checkPlugin(name: string, node: YNode, diags: DiagnosticBag): Plugin | null | undefined {
  let pname: YNode;
  let params: YNode | undefined;
  if (node.kind === 'str') pname = node;
  else if (node.kind === 'map') {
    const n = getEntry(node, 'name');
    if (n === undefined) {
      diags.error(Codes.PluginNoName, `Plugin specified, but no plugin name supplied for ${name}`, node.span);
      return undefined;
    }
    pname = n;
    params = getEntry(node, 'parameters');
  } else {
    diags.error(Codes.PluginNoName, `plugin for ${name} must be a plugin name or {name: ..., parameters: {...}}`, node.span);
    return undefined;
  }
  if (pname.kind !== 'str' || !PLUGINS.includes(pname.value)) {
    diags.error(Codes.UnknownPlugin, `No plugin named ${pname.kind === 'str' ? pname.value : describeKey(pname)} available for ${name} (known: ${PLUGINS.join(', ')})`, pname.span);
    return undefined;
  }
  const p: Map<string, PyValue> = new Map();
  let paramSpan = node.span;
  if (params !== undefined && params.kind !== 'null') {
    if (params.kind !== 'map') {
      diags.error(Codes.PluginParameters, `parameters of plugin ${pname.value} for ${name} must be a mapping`, params.span);
      return undefined;
    }
    paramSpan = params.span;
    for (const e of params.entries) {
      if (e.key.kind !== 'str') {
        diags.error(Codes.PluginParameters, `plugin parameter names must be strings, found ${describeKey(e.key)}`, e.key.span);
        return undefined;
      }
      p.set(e.key.value, toPy(e.value));
    }
  }
  const bad = (msg: string): undefined => {
    diags.error(Codes.PluginParameters, `plugin ${pname.value} for ${name}: ${msg}`, paramSpan);
    return undefined;
  };
  const intParam = (v: PyValue | undefined, dflt: number | null, what: string): number | null | undefined => {
    if (v === undefined) return dflt;
    if (v === null && dflt === null) return null;
    if (typeof v === 'boolean') return v ? 1 : 0;
    if (typeof v === 'number' && isInt(v)) return v;
    return bad(`'${what}' must be an integer`);
  };
  switch (pname.value) {
    case 'split': {
      diags.warning(Codes.DeprecatedPlugin, `the split plugin is deprecated in Ceilometer; use the JSONPath operator \`split(sep, segment, max_split)\` instead`, pname.span);
      const sep = p.has('separator') ? p.get('separator')! : '.';
      if (sep !== null && (typeof sep !== 'string' || sep === '')) return bad("'separator' must be a non-empty string (or null for whitespace)");
      const segment = intParam(p.get('segment'), 0, 'segment');
      const maxSplit = intParam(p.get('max_split'), null, 'max_split');
      if (segment === undefined || maxSplit === undefined || segment === null) return undefined;
      return { name: 'split', separator: sep as string | null, segment, maxSplit };
    }
    case 'bitfield': {
      const initial = p.has('initial_bitfield') ? p.get('initial_bitfield')! : 0;
      if (!(typeof initial === 'boolean' || isInt(initial))) {
        // Ceilometer keeps it as written: returned unchanged when no flag is set, TypeError on `|=` otherwise.
        diags.warning(Codes.NonIntBitfield, `plugin bitfield for ${name}: 'initial_bitfield' ${pyRepr(initial)} is not an integer: a message that sets a flag is dropped (TypeError), others keep it as is`, paramSpan);
      }
      const flagsV = p.has('flags') ? p.get('flags')! : null;
      const flags: Array<{ path: PyValue; bit: number; value?: PyValue }> = [];
      if (flagsV !== null) {
        if (!Array.isArray(flagsV)) return bad("'flags' must be a list of {path, bit, value?}");
        for (const f of flagsV) {
          if (!(f instanceof Map) || !f.has('path') || !f.has('bit')) return bad("each flag needs 'path' and 'bit'");
          const bit = flagBit(f.get('bit')!);
          if (bit === null) return bad(`'bit' ${pyRepr(f.get('bit')!)} must be int()-able to a number between 0 and 1023`);
          flags.push(f.has('value') ? { path: f.get('path')!, bit, value: f.get('value')! } : { path: f.get('path')!, bit });
        }
      }
      return { name: 'bitfield', initial, flags };
    }
    case 'timedelta':
      return { name: 'timedelta' };
    case 'map': {
      if (params === undefined || params.kind !== 'map') return bad("'values' is required: a non-empty mapping");
      const valuesNode = getEntry(params, 'values');
      if (!valuesNode || valuesNode.kind !== 'map' || valuesNode.entries.length === 0) return bad("'values' must be a non-empty mapping");
      const values: Array<[PyValue, PyValue]> = valuesNode.entries.map((e) => [toPy(e.key), toPy(e.value)]);
      const cs = p.has('case_sensitive') ? p.get('case_sensitive') : true;
      return { name: 'map', values, defaultValue: p.has('default') ? p.get('default')! : null, caseSensitive: cs !== false && cs !== 0 && cs !== null && cs !== '' };
    }
  }
  return undefined;
}
