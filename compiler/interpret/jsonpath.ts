// Reference semantics of jsonpath-rw(-ext) `find` over the AST: DatumInContext with paths and
// parent pointers, exactly as the Python objects behave (including their exceptions).
import type { FilterExpr, JsonPath, Operand } from '../jsonpath-ast.js';
import { stepString } from '../jsonpath-ast.js';
import { PyError, PyFloat, type PyValue, makeFloat, pyCompare, pyEquals } from '../../runtime/semantics/pyvalue.js';
import { indexStep, sliceIndices, sliceSource, pySorted, splitOperator, subOperator, filterCompare, pyArith, NO_RESULT, stableSort, pyLen } from '../../runtime/semantics/ops.js';

export interface Datum {
  value: PyValue;
  /** str(path) of the step that produced it; null for This (wrap()). */
  path: string;
  context: Datum | null;
}

/** `Parent` of a context-less datum yields Python's None in the match list. */
export type Match = Datum | null;

const wrap = (value: PyValue): Datum => ({ value, path: '`this`', context: null });

/** ceilometer's Definition._get_path: str(path) of every step that has a context. */
export function pathString(d: Datum): string {
  const parts: string[] = [];
  for (let x: Datum | null = d; x && x.context; x = x.context) parts.push(x.path);
  return parts.reverse().join('.');
}

function needDatum(d: Match): Datum {
  // A None match (from `parent`) behaves like DatumInContext.wrap(None) in find().
  return d ?? wrap(null);
}

export function find(p: JsonPath, input: Match): Match[] {
  const d = needDatum(input);
  switch (p.kind) {
    case 'root': {
      let x = d;
      while (x.context) x = x.context;
      return [{ value: x.value, path: '$', context: null }];
    }
    case 'this':
      return [d];
    case 'parent':
      return [d.context];
    case 'fields': {
      const v = d.value;
      let names = p.names;
      if (names.includes('*')) names = v instanceof Map ? [...v.keys()] : [];
      const out: Match[] = [];
      for (const n of names) {
        if (v instanceof Map && v.has(n)) out.push({ value: v.get(n)!, path: n, context: d });
      }
      return out;
    }
    case 'index': {
      const v = indexStep(d.value, p.index);
      return v === undefined ? [] : [{ value: v, path: stepString(p), context: d }];
    }
    case 'slice': {
      const { list, wrapped } = sliceSource(d.value);
      const ctx = wrapped ? { value: list, path: d.path, context: d.context } : d;
      return sliceIndices(list.length, p.start, p.end).map((i) => ({ value: list[i]!, path: `[${i}]`, context: ctx }));
    }
    case 'child': {
      const out: Match[] = [];
      for (const sub of find(p.left, d)) {
        for (const m of find(p.right, sub)) out.push(m);
      }
      return out;
    }
    case 'where':
      return find(p.left, d).filter((sub) => find(p.right, sub).length > 0);
    case 'descendants': {
      const out: Match[] = [];
      const rec = (x: Match): void => {
        for (const m of find(p.right, x)) out.push(m);
        const xv = needDatum(x);
        if (Array.isArray(xv.value)) xv.value.forEach((item, i) => rec({ value: item, path: `[${i}]`, context: xv }));
        else if (xv.value instanceof Map) for (const [k, item] of xv.value) rec({ value: item, path: k, context: xv });
      };
      for (const l of find(p.left, d)) rec(l);
      return out;
    }
    case 'union':
      return [...find(p.left, d), ...find(p.right, d)];
    case 'intersect':
      throw new PyError('NotImplementedError', "jsonpath-rw does not implement '&'");
    case 'len': {
      const n = pyLen(d.value);
      return n === undefined ? [] : [{ value: n, path: '`len`', context: null }];
    }
    case 'sorted':
      return sortedFind(p, d);
    case 'split': {
      const v = splitOperator(d.value, p.sep, p.segment, p.maxSplit);
      return v === undefined ? [] : [wrap(v)];
    }
    case 'sub': {
      let re = subRegexes.get(p);
      if (!re) subRegexes.set(p, (re = new RegExp(p.jsPattern, 'gu')));
      const v = subOperator(d.value, re, p.jsRepl);
      return v === undefined ? [] : [wrap(v)];
    }
    case 'filter': {
      if (!Array.isArray(d.value)) return [];
      const list = d.value;
      const out: Match[] = [];
      list.forEach((item, i) => {
        if (p.exprs.every((e) => filterMatches(e, item))) out.push({ value: item, path: `[${i}]`, context: d });
      });
      // Python evaluates every expression for every element (filter(lambda...)), so errors surface.
      return out;
    }
    case 'operation':
      return operation(p.left, p.op, p.right, d);
  }
}

/**
 * SortedThis.find returns a bare datum (not a list) for scalars and for dicts with sort keys;
 * whoever iterates the result (Child, the converter) then raises TypeError in Python.
 */
function sortedFind(p: Extract<JsonPath, { kind: 'sorted' }>, d: Datum): Match[] {
  const v = d.value;
  if ((v instanceof Map && p.keys) || !(v instanceof Map || Array.isArray(v))) {
    throw new PyError('TypeError', "'DatumInContext' object is not iterable");
  }
  if (!p.keys) return [wrap(pySorted(v as PyValue[] | Map<string, PyValue>))];
  const keys = p.keys;
  const cmp = (a: PyValue, b: PyValue): number => {
    for (const k of keys) {
      const l = find(k.path, wrap(a));
      const r = find(k.path, wrap(b));
      if (!l.length || !r.length || l.length > 1 || r.length > 1) continue;
      const lv = needDatum(l[0]!).value;
      const rv = needDatum(r[0]!).value;
      if (pyEquals(lv, rv)) continue;
      if (pyCompare(lv, rv, '<') < 0) return k.descending ? 1 : -1;
      return k.descending ? -1 : 1;
    }
    return 0;
  };
  return [wrap(stableSort([...(v as PyValue[])], cmp))];
}

// Regexes are compiled once per AST node, not once per message.
const subRegexes = new WeakMap<JsonPath, RegExp>();
const filterRegexes = new WeakMap<FilterExpr, RegExp>();
function filterRegex(e: FilterExpr): RegExp | null {
  if (e.regex === undefined) return null;
  let re = filterRegexes.get(e);
  if (!re) filterRegexes.set(e, (re = new RegExp('^(?:' + e.regex + ')', 'u')));
  return re;
}

function filterMatches(e: FilterExpr, item: PyValue): boolean {
  const found = find(e.target, wrap(item));
  if (!found.length) return false;
  if (e.op === null) return true;
  const lit = e.value!;
  const coerce = lit.kind === 'int' || lit.kind === 'bool';
  const litValue = lit.kind === 'float' ? (Number.isInteger(lit.value) ? new PyFloat(lit.value) : lit.value) : lit.value;
  const re = filterRegex(e);
  let any = false;
  for (const m of found) {
    const v = needDatum(m).value;
    if (v === null) continue;
    if (filterCompare(v, e.op, litValue, coerce, re)) any = true;
  }
  return any;
}

function operandValue(o: Operand): PyValue {
  if (o.kind === 'float') return makeFloat(o.value);
  return (o as { value: PyValue }).value;
}

function operation(left: Operand, op: '+' | '-' | '*' | '/', right: Operand, d: Datum): Match[] {
  const results: PyValue[] = [];
  const apply = (a: PyValue, b: PyValue): boolean => {
    const r = pyArith(a, op, b);
    if (r === NO_RESULT) return false;
    results.push(r as PyValue);
    return true;
  };
  if (left.kind === 'path' && right.kind === 'path') {
    const l = find(left.path, d);
    const r = find(right.path, d);
    if (!(l.length && r.length && l.length === r.length)) return [];
    for (let i = 0; i < l.length; i++) if (!apply(needDatum(l[i]!).value, needDatum(r[i]!).value)) return [];
  } else if (left.kind === 'path') {
    for (const m of find(left.path, d)) if (!apply(needDatum(m).value, operandValue(right))) return [];
  } else if (right.kind === 'path') {
    for (const m of find(right.path, d)) if (!apply(operandValue(left), needDatum(m).value)) return [];
  } else if (!apply(operandValue(left), operandValue(right))) return [];
  return results.map(wrap);
}
