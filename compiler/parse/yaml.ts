// YAML as Ceilometer reads it: PyYAML's safe_load (YAML 1.1): implicit scalar types by PyYAML's
// resolver regexes, merge keys with PyYAML's precedence, duplicate keys allowed (last wins).
// Every node keeps its span; a merged entry remembers the `<<` that brought it in.
import { parseAllDocuments, isAlias, isMap, isScalar, isSeq, visit, type Document, type Node as YamlNode } from 'yaml';
import { DiagnosticBag } from '../diagnostics.js';
import { Codes } from '../messages.js';
import { type Span, type SourceFile } from '../source.js';
import { PyFloat, type PyValue } from '../../runtime/semantics/pyvalue.js';

export type YNode =
  | { kind: 'str'; value: string; span: Span }
  | { kind: 'int'; value: number | bigint; span: Span }
  | { kind: 'float'; value: number; span: Span }
  | { kind: 'bool'; value: boolean; span: Span }
  | { kind: 'null'; span: Span }
  | { kind: 'date'; text: string; span: Span }
  | { kind: 'seq'; items: YNode[]; span: Span }
  | { kind: 'map'; entries: YEntry[]; span: Span };

export interface YEntry {
  key: YNode;
  value: YNode;
  /** The `<<` key that merged this entry in, when it came from an anchor. */
  mergedVia?: Span;
}

// PyYAML's implicit resolvers (resolver.py), tried in registration order.
const BOOL = /^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/;
const FLOAT = /^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;
const INT = /^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$/;
const NULL = /^(?:~|null|Null|NULL|)$/;
const TIMESTAMP = /^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$/;
const BOOL_VALUES: Record<string, boolean> = { yes: true, no: false, true: true, false: false, on: true, off: false };

type Tag = 'bool' | 'float' | 'int' | 'merge' | 'null' | 'timestamp' | 'value' | 'str';

function implicitTag(v: string): Tag {
  const first = v[0] ?? '';
  if ('yYnNtTfFoO'.includes(first) && first !== '' && BOOL.test(v)) return 'bool';
  if ('-+0123456789.'.includes(first) && first !== '' && FLOAT.test(v)) return 'float';
  if ('-+0123456789'.includes(first) && first !== '' && INT.test(v)) return 'int';
  if (v === '<<') return 'merge';
  if (['~', 'n', 'N', ''].includes(first) && NULL.test(v)) return 'null';
  if ('0123456789'.includes(first) && first !== '' && TIMESTAMP.test(v)) return 'timestamp';
  if (v === '=') return 'value';
  return 'str';
}

function constructInt(text: string): number | bigint {
  let v = text.replace(/_/g, '');
  let sign = 1n;
  if (v[0] === '-') sign = -1n;
  if (v[0] === '+' || v[0] === '-') v = v.slice(1);
  let r: bigint;
  if (v === '0') r = 0n;
  else if (v.startsWith('0b')) r = BigInt('0b' + v.slice(2));
  else if (v.startsWith('0x')) r = BigInt('0x' + v.slice(2));
  else if (v[0] === '0') r = BigInt('0o' + v.slice(1));
  else if (v.includes(':')) {
    r = 0n;
    for (const part of v.split(':')) r = r * 60n + BigInt(part);
  } else r = BigInt(v);
  r *= sign;
  return r >= BigInt(Number.MIN_SAFE_INTEGER) && r <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(r) : r;
}

function constructFloat(text: string): number {
  let v = text.replace(/_/g, '').toLowerCase();
  let sign = 1;
  if (v[0] === '-') sign = -1;
  if (v[0] === '+' || v[0] === '-') v = v.slice(1);
  if (v === '.inf') return sign * Infinity;
  if (v === '.nan') return NaN;
  if (v.includes(':')) {
    let r = 0;
    for (const part of v.split(':')) r = r * 60 + Number(part);
    return sign * r;
  }
  return sign * Number(v);
}

export interface YamlResult {
  root: YNode | null;
}

const CLOSERS: Record<string, string> = { '[': ']', '{': '}', "'": "'", '"': '"' };

/**
 * Where a syntax error really is. The parser notices an unclosed `[`, `{` or quote, or a
 * mis-indented key, only at the next line's indentation (column 1, often a blank line): point
 * at the unclosed opener instead, else at the first token of that line.
 */
function offendingToken(file: SourceFile, doc: Document, pos: readonly [number, number]): Span {
  const text = file.text;
  const at = pos[0];
  const lineStart = text.lastIndexOf('\n', at - 1) + 1;
  const indent = /^[ \t]*/.exec(text.slice(lineStart))![0].length;
  // A tab in the indentation is itself the offending token.
  if ((at > lineStart + indent && text[at] !== '\n' && at < text.length) || text[at] === '\t') return { file, start: pos[0], end: pos[1] };
  let opener: [number, number] | null = null;
  visit(doc, (_key, node) => {
    const r = (node as { range?: [number, number, number] } | null)?.range;
    if (!r || r[0] >= at || r[1] < at || (opener && r[0] <= opener[0])) return;
    const close = CLOSERS[text[r[0]]!];
    if (close !== undefined && text[r[1] - 1] !== close) opener = [r[0], r[0] + 1];
  });
  if (opener) return { file, start: opener[0], end: opener[1] };
  const first = lineStart + indent;
  const token = /^[^\s:]+/.exec(text.slice(first));
  if (token && first < text.length) return { file, start: first, end: first + token[0].length };
  return { file, start: pos[0], end: pos[1] };
}

/** Parse a definitions file. Syntax errors are reported and give `root: null`. */
export function parseYaml(file: SourceFile, diags: DiagnosticBag): YamlResult {
  const docs = parseAllDocuments(file.text, { version: '1.1', schema: 'failsafe', uniqueKeys: false, merge: false, strict: false });
  const span = (r: readonly number[] | null | undefined): Span => ({ file, start: r?.[0] ?? 0, end: r?.[1] ?? r?.[0] ?? 0 });
  const list = Array.isArray(docs) ? docs : [docs];
  let failed = false;
  for (const doc of list as Document[]) {
    for (const e of doc.errors) {
      diags.error(Codes.YamlSyntax, `invalid YAML: ${e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`, offendingToken(file, doc, e.pos));
      failed = true;
    }
  }
  if (failed) return { root: null };
  if (list.length === 0 || (list.length === 1 && (list[0] as Document).contents === null)) return { root: null };
  if (list.length > 1) {
    diags.error(Codes.MultipleDocuments, 'expected a single YAML document, found several (Ceilometer reads one)', span((list[1] as Document).range));
    return { root: null };
  }
  const doc = list[0] as Document;

  const building = new Set<YamlNode>();

  const build = (node: YamlNode | null | undefined, fallback: Span): YNode => {
    if (node === null || node === undefined) return { kind: 'null', span: fallback };
    if (isAlias(node)) {
      const target = node.resolve(doc);
      if (!target) {
        diags.error(Codes.YamlSyntax, `unknown alias *${node.source}`, span(node.range));
        return { kind: 'null', span: span(node.range) };
      }
      return build(target as YamlNode, span(node.range));
    }
    const s = span(node.range);
    if (building.has(node)) {
      diags.error(Codes.UnsupportedYaml, 'recursive alias: a node cannot contain itself', s);
      return { kind: 'null', span: s };
    }
    if (isScalar(node)) return scalar(node.value as string | null, node.type === 'PLAIN', node.tag, s);
    if (isSeq(node)) {
      building.add(node);
      const items = node.items.map((x) => build(x as YamlNode, s));
      building.delete(node);
      return { kind: 'seq', items, span: s };
    }
    if (isMap(node)) {
      building.add(node);
      const m = buildMap(node as unknown as { items: Array<{ key: YamlNode | null; value: YamlNode | null }>; range?: number[] }, s);
      building.delete(node);
      return m;
    }
    diags.error(Codes.UnsupportedYaml, 'unsupported YAML node', s);
    return { kind: 'null', span: s };
  };

  const scalar = (value: string | null, plain: boolean, tag: string | undefined, s: Span): YNode => {
    const v = value ?? '';
    let t: Tag;
    if (tag) {
      const short = tag.replace('tag:yaml.org,2002:', '');
      if (['str', 'int', 'float', 'bool', 'null', 'timestamp'].includes(short)) t = short as Tag;
      else {
        diags.error(Codes.UnsupportedYaml, `unsupported YAML tag ${tag} (safe_load cannot construct it)`, s);
        return { kind: 'null', span: s };
      }
    } else t = plain ? implicitTag(v) : 'str';
    try {
      switch (t) {
        case 'bool': {
          const b = BOOL_VALUES[v.toLowerCase()];
          if (b === undefined) throw new Error(`'${v}' is not a boolean`);
          return { kind: 'bool', value: b, span: s };
        }
        case 'int':
          return { kind: 'int', value: constructInt(v), span: s };
        case 'float': {
          const f = constructFloat(v);
          if (Number.isNaN(f) && !/nan/i.test(v)) throw new Error(`'${v}' is not a float`);
          return { kind: 'float', value: f, span: s };
        }
        case 'null':
          return { kind: 'null', span: s };
        case 'timestamp':
          return { kind: 'date', text: v, span: s };
        case 'value':
          diags.error(Codes.UnsupportedYaml, "a plain '=' is YAML 1.1's value key: safe_load cannot construct it; quote it", s);
          return { kind: 'null', span: s };
        case 'merge':
        case 'str':
          return { kind: 'str', value: v, span: s };
      }
    } catch (e) {
      diags.error(Codes.UnsupportedYaml, `cannot construct scalar: ${(e as Error).message}`, s);
      return { kind: 'null', span: s };
    }
  };

  const isMergeKey = (k: YamlNode | null): boolean => !!k && isScalar(k) && k.type === 'PLAIN' && !k.tag && k.value === '<<';

  // PyYAML's flatten_mapping: merged pairs first (later aliases of a list first, so earlier ones
  // override), then the mapping's own pairs; construct_mapping then assigns in order.
  const flatten = (
    m: { items: Array<{ key: YamlNode | null; value: YamlNode | null }> },
    stack: Set<unknown>,
  ): Array<{ key: YamlNode | null; value: YamlNode | null; mergedVia?: Span }> => {
    const merged: Array<{ key: YamlNode | null; value: YamlNode | null; mergedVia?: Span }> = [];
    const own: Array<{ key: YamlNode | null; value: YamlNode | null; mergedVia?: Span }> = [];
    for (const pair of m.items) {
      if (!isMergeKey(pair.key)) {
        own.push(pair);
        continue;
      }
      const via = span(pair.key!.range);
      const resolveNode = (n: YamlNode | null): YamlNode | null => (n && isAlias(n) ? ((n.resolve(doc) as YamlNode) ?? null) : n);
      const target = resolveNode(pair.value);
      const fromMap = (mm: YamlNode): Array<{ key: YamlNode | null; value: YamlNode | null; mergedVia?: Span }> => {
        if (stack.has(mm)) {
          diags.error(Codes.UnsupportedYaml, 'recursive merge', via);
          return [];
        }
        stack.add(mm);
        const r = flatten(mm as unknown as { items: Array<{ key: YamlNode | null; value: YamlNode | null }> }, stack).map((p) => ({ ...p, mergedVia: p.mergedVia ?? via }));
        stack.delete(mm);
        return r;
      };
      if (target && isMap(target)) merged.push(...fromMap(target as YamlNode));
      else if (target && isSeq(target)) {
        const subs: Array<Array<{ key: YamlNode | null; value: YamlNode | null; mergedVia?: Span }>> = [];
        for (const item of target.items) {
          const sub = resolveNode(item as YamlNode);
          if (!sub || !isMap(sub)) {
            diags.error(Codes.MergeNotMapping, 'expected a mapping for merging, but found another node', span((item as YamlNode | null)?.range ?? pair.key!.range));
            continue;
          }
          subs.push(fromMap(sub as YamlNode));
        }
        for (const sub of subs.reverse()) merged.push(...sub);
      } else {
        diags.error(Codes.MergeNotMapping, "'<<' expects a mapping or a list of mappings (an alias such as *anchor)", span(pair.value?.range ?? pair.key!.range));
      }
    }
    return merged.concat(own);
  };

  const keyId = (k: YNode): string | null => {
    switch (k.kind) {
      case 'str':
        return 's:' + k.value;
      case 'int':
        return 'n:' + String(k.value);
      case 'bool':
        return 'n:' + (k.value ? '1' : '0');
      case 'float':
        return Number.isInteger(k.value) ? 'n:' + String(k.value) : 'f:' + String(k.value);
      case 'null':
        return 'null';
      case 'date':
        return 'd:' + k.text;
      default:
        return null;
    }
  };

  const buildMap = (node: { items: Array<{ key: YamlNode | null; value: YamlNode | null }>; range?: number[] }, s: Span): YNode => {
    const pairs = flatten(node, new Set([node]));
    const entries: YEntry[] = [];
    const index = new Map<string, number>();
    for (const p of pairs) {
      const key = build(p.key, s);
      const keySpan = key.span;
      const value = build(p.value, { file, start: keySpan.end, end: keySpan.end });
      const id = keyId(key);
      if (id === null) {
        diags.error(Codes.UnsupportedYaml, 'found an unhashable key (a mapping or sequence used as a key)', keySpan);
        continue;
      }
      const entry: YEntry = p.mergedVia ? { key, value, mergedVia: p.mergedVia } : { key, value };
      const at = index.get(id);
      if (at === undefined) {
        index.set(id, entries.length);
        entries.push(entry);
      } else {
        const prev = entries[at]!;
        if (!p.mergedVia && !prev.mergedVia) {
          diags.warning(Codes.DuplicateKey, `duplicate key ${describeKey(key)}: the later value wins (as in Ceilometer), the earlier one is ignored`, keySpan, [
            { message: 'first defined here', span: prev.key.span },
          ]);
        }
        // Python dict: keeps the first position, takes the last value.
        entries[at] = { ...entry, key: prev.key };
      }
      if (p.key && isScalar(p.key) && p.key.type === 'PLAIN' && !p.key.tag && key.kind !== 'str') {
        diags.warning(Codes.Yaml11Surprise, `YAML 1.1 reads the key '${String(p.key.value)}' as ${describeKey(key)}, not as a string; quote it`, keySpan);
      }
    }
    return { kind: 'map', entries, span: s };
  };

  return { root: build(doc.contents as YamlNode, { file, start: 0, end: 0 }) };
}

export function describeKey(k: YNode): string {
  switch (k.kind) {
    case 'str':
      return `'${k.value}'`;
    case 'bool':
      return `the boolean ${k.value ? 'True' : 'False'}`;
    case 'int':
      return `the integer ${String(k.value)}`;
    case 'float':
      return `the float ${k.value}`;
    case 'null':
      return 'None';
    case 'date':
      return `the date ${k.text}`;
    default:
      return `a ${k.kind}`;
  }
}

/** The node as Python data (for plugin parameters and constants). */
export function toPy(n: YNode): PyValue {
  switch (n.kind) {
    case 'str':
      return n.value;
    case 'int':
      return n.value;
    case 'float':
      return Number.isInteger(n.value) || Object.is(n.value, -0) ? new PyFloat(n.value) : n.value;
    case 'bool':
      return n.value;
    case 'null':
      return null;
    case 'date':
      return n.text;
    case 'seq':
      return n.items.map(toPy);
    case 'map': {
      const m = new Map<string, PyValue>();
      for (const e of n.entries) m.set(e.key.kind === 'str' ? e.key.value : pyKeyText(e.key), toPy(e.value));
      return m;
    }
  }
}

/** How json.dumps writes a non-string dict key (trait names that YAML 1.1 turned into bools...). */
export function pyKeyText(k: YNode): string {
  switch (k.kind) {
    case 'str':
      return k.value;
    case 'bool':
      return k.value ? 'true' : 'false';
    case 'null':
      return 'null';
    case 'int':
      return String(k.value);
    case 'float':
      return String(k.value);
    case 'date':
      return k.text;
    default:
      return '';
  }
}
