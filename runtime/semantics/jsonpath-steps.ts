// One function per jsonpath-rw(-ext) step over DatumInContext values (path and parent pointer),
// exactly as the Python objects behave, exceptions included. The interpreter walks the AST and
// calls them; generated decoders call them in the order the AST is unrolled into code.
import { PyError, PyFloat, type PyValue, pyCompare, pyEquals } from './pyvalue.js';
import { indexStep, sliceIndices, sliceSource, pySorted, splitOperator, subOperator, filterCompare, pyArith, NO_RESULT, stableSort, pyLen, type FilterLiteral } from './ops.js';

export interface Datum {
  value: PyValue;
  /** str(path) of the step that produced it. */
  path: string;
  context: Datum | null;
}

/** `Parent` of a context-less datum yields Python's None in the match list. */
export type Match = Datum | null;

/** A find() over one input: what a compiled or interpreted sub-path is. */
export type Finder = (input: Match) => Match[];

export const wrap = (value: PyValue): Datum => ({ value, path: '`this`', context: null });

/** A None match behaves like DatumInContext.wrap(None) in find(). */
export const needDatum = (m: Match): Datum => m ?? wrap(null);

/** Ceilometer's Definition._get_path: str(path) of every step that has a context. */
export function pathString(d: Datum): string {
  const parts: string[] = [];
  for (let x: Datum | null = d; x && x.context; x = x.context) parts.push(x.path);
  return parts.reverse().join('.');
}

export function stepRoot(m: Match): Match[] {
  let x = needDatum(m);
  while (x.context) x = x.context;
  return [{ value: x.value, path: '$', context: null }];
}

export const stepThis = (m: Match): Match[] => [needDatum(m)];

export const stepParent = (m: Match): Match[] => [needDatum(m).context];

export function stepFields(m: Match, names: readonly string[]): Match[] {
  const d = needDatum(m);
  const v = d.value;
  if (!(v instanceof Map)) return [];
  const keys: Iterable<string> = names.includes('*') ? [...v.keys()] : names;
  const out: Match[] = [];
  for (const n of keys) {
    const x = v.get(n);
    if (x !== undefined) out.push({ value: x, path: n, context: d });
  }
  return out;
}

export function stepIndex(m: Match, index: number): Match[] {
  const d = needDatum(m);
  const v = indexStep(d.value, index);
  return v === undefined ? [] : [{ value: v, path: `[${index}]`, context: d }];
}

export function stepSlice(m: Match, start: number | null, end: number | null): Match[] {
  const d = needDatum(m);
  const { list, wrapped } = sliceSource(d.value);
  const ctx = wrapped ? { value: list, path: d.path, context: d.context } : d;
  return sliceIndices(list.length, start, end).map((i) => ({ value: list[i]!, path: `[${i}]`, context: ctx }));
}

/** Child: the left side is found completely before the right side runs (Python's order). */
export function stepChild(left: Match[], right: Finder): Match[] {
  const out: Match[] = [];
  for (const sub of left) for (const x of right(sub)) out.push(x);
  return out;
}

export const stepWhere = (left: Match[], right: Finder): Match[] => left.filter((sub) => right(sub).length > 0);

export function stepDescendants(left: Match[], right: Finder): Match[] {
  const out: Match[] = [];
  const rec = (x: Match): void => {
    for (const m of right(x)) out.push(m);
    const d = needDatum(x);
    if (Array.isArray(d.value)) d.value.forEach((item, i) => rec({ value: item, path: `[${i}]`, context: d }));
    else if (d.value instanceof Map) for (const [k, item] of d.value) rec({ value: item, path: k, context: d });
  };
  for (const l of left) rec(l);
  return out;
}

export const stepUnion = (left: Match[], right: Match[]): Match[] => left.concat(right);

export function stepIntersect(): never {
  throw new PyError('NotImplementedError', "jsonpath-rw does not implement '&'");
}

export function stepLen(m: Match): Match[] {
  const n = pyLen(needDatum(m).value);
  return n === undefined ? [] : [{ value: n, path: '`len`', context: null }];
}

export interface SortKey {
  find: Finder;
  descending: boolean;
}

/**
 * SortedThis.find returns a bare datum (not a list) for scalars and for dicts with sort keys;
 * whoever iterates the result (Child, the converter) then raises TypeError in Python.
 */
export function stepSorted(m: Match, keys: readonly SortKey[] | null): Match[] {
  const v = needDatum(m).value;
  if ((v instanceof Map && keys) || !(v instanceof Map || Array.isArray(v))) {
    throw new PyError('TypeError', "'DatumInContext' object is not iterable");
  }
  if (!keys) return [wrap(pySorted(v))];
  const cmp = (a: PyValue, b: PyValue): number => {
    for (const k of keys) {
      const l = k.find(wrap(a));
      const r = k.find(wrap(b));
      if (l.length !== 1 || r.length !== 1) continue;
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

export function stepSplit(m: Match, sep: string, segment: number, maxSplit: number): Match[] {
  const v = splitOperator(needDatum(m).value, sep, segment, maxSplit);
  return v === undefined ? [] : [wrap(v)];
}

/** `re` must carry the 'g' flag: Python's re.sub replaces every match. */
export function stepSub(m: Match, re: RegExp, repl: string): Match[] {
  const v = subOperator(needDatum(m).value, re, repl);
  return v === undefined ? [] : [wrap(v)];
}

export interface FilterTest {
  target: Finder;
  op: '=' | '==' | '!=' | '<' | '<=' | '>' | '>=' | '~' | null;
  literal: FilterLiteral | null;
  /** NUMBER and BOOL literals make the filter coerce the candidate with int(). */
  coerceInt: boolean;
  /** For `~`: anchored at the start like Python's re.match. */
  regex: RegExp | null;
}

function filterMatches(t: FilterTest, item: PyValue): boolean {
  const found = t.target(wrap(item));
  if (!found.length) return false;
  if (t.op === null) return true;
  let any = false;
  for (const m of found) {
    const v = needDatum(m).value;
    if (v === null) continue;
    // Every candidate is compared (Python's filter() over all of them), so errors surface.
    if (filterCompare(v, t.op, t.literal!, t.coerceInt, t.regex)) any = true;
  }
  return any;
}

export function stepFilter(m: Match, tests: readonly FilterTest[]): Match[] {
  const d = needDatum(m);
  if (!Array.isArray(d.value)) return [];
  const out: Match[] = [];
  d.value.forEach((item, i) => {
    if (tests.every((t) => filterMatches(t, item))) out.push({ value: item, path: `[${i}]`, context: d });
  });
  return out;
}

/** An arithmetic operand: a sub-path or a literal (integral floats as PyFloat). */
export type Operand = { find: Finder } | { value: string | number | bigint | PyFloat };

export function stepOperation(m: Match, left: Operand, op: '+' | '-' | '*' | '/', right: Operand): Match[] {
  const d = needDatum(m);
  const results: PyValue[] = [];
  const apply = (a: PyValue, b: PyValue): boolean => {
    const r = pyArith(a, op, b);
    if (r === NO_RESULT) return false;
    results.push(r as PyValue);
    return true;
  };
  const valueOf = (x: Match): PyValue => needDatum(x).value;
  if ('find' in left && 'find' in right) {
    const l = left.find(d);
    const r = right.find(d);
    if (!(l.length && r.length && l.length === r.length)) return [];
    for (let i = 0; i < l.length; i++) if (!apply(valueOf(l[i]!), valueOf(r[i]!))) return [];
  } else if ('find' in left) {
    for (const x of left.find(d)) if (!apply(valueOf(x), (right as { value: PyValue }).value)) return [];
  } else if ('find' in right) {
    for (const x of right.find(d)) if (!apply(left.value, valueOf(x))) return [];
  } else if (!apply(left.value, right.value)) return [];
  return results.map(wrap);
}
