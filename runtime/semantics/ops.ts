// Python operations that JSONPath steps and plugins perform on notification data. One
// implementation, called by the interpreter and by generated decoders alike.
import { PyError, PyFloat, type PyValue, isFloat, isInt, makeFloat, makeInt, pyCompare, pyEquals, pyTypeName, numericValue } from './pyvalue.js';
import { pyStr } from './pyrepr.js';
import { pyInt } from './pyconvert.js';

/** len() for str (code points), list and dict; undefined for types without len(). */
export function pyLen(v: PyValue): number | undefined {
  if (typeof v === 'string') {
    let n = 0;
    for (let i = 0; i < v.length; i++) {
      const c = v.charCodeAt(i);
      if (c < 0xd800 || c > 0xdbff || i + 1 >= v.length) n++;
      else {
        const d = v.charCodeAt(i + 1);
        if (d >= 0xdc00 && d <= 0xdfff) i++;
        n++;
      }
    }
    return n;
  }
  if (Array.isArray(v)) return v.length;
  if (v instanceof Map) return v.size;
  return undefined;
}

/**
 * jsonpath-rw Index.find: `len(value) > i` first (TypeError for None/numbers/bools), then
 * value[i] (KeyError on a dict, IndexError for a negative index past the start).
 * Returns undefined when there is no match.
 */
export function indexStep(v: PyValue, i: number): PyValue | undefined {
  const n = pyLen(v);
  if (n === undefined) throw new PyError('TypeError', `object of type '${pyTypeName(v)}' has no len()`);
  if (!(n > i)) return undefined;
  if (v instanceof Map) throw new PyError('KeyError', String(i));
  const j = i < 0 ? n + i : i;
  if (j < 0) throw new PyError('IndexError', `${pyTypeName(v)} index out of range`);
  if (typeof v === 'string') return v.length === n ? v[j]! : Array.from(v)[j]!;
  return (v as PyValue[])[j]!;
}

/** Indices selected by a Python slice [start:end] over a sequence of length n. */
export function sliceIndices(n: number, start: number | null, end: number | null): number[] {
  const norm = (x: number | null, dflt: number): number => {
    if (x === null) return dflt;
    if (x < 0) return Math.max(0, n + x);
    return Math.min(n, x);
  };
  const a = norm(start, 0);
  const b = norm(end, n);
  const out: number[] = [];
  for (let i = a; i < b; i++) out.push(i);
  return out;
}

/** jsonpath-rw Slice.find's input: dict/int/bool/str are wrapped in a list; None/float raise. */
export function sliceSource(v: PyValue): { list: PyValue[]; wrapped: boolean } {
  if (Array.isArray(v)) return { list: v, wrapped: false };
  if (v instanceof Map || typeof v === 'string' || typeof v === 'boolean' || (v !== null && isInt(v))) return { list: [v], wrapped: true };
  throw new PyError('TypeError', `object of type '${pyTypeName(v)}' has no len()`);
}

/** Python's sorted() of a list (values) or dict (keys); TypeError for unorderable mixes. */
export function pySorted(v: PyValue[] | Map<string, PyValue>): PyValue[] {
  const items: PyValue[] = v instanceof Map ? [...v.keys()] : [...v];
  return stableSort(items, (a, b) => pyCompare(a, b, '<'));
}

/** Timsort is stable; Array.prototype.sort is stable too. The comparator may throw. */
export function stableSort<T>(items: T[], cmp: (a: T, b: T) => number): T[] {
  return items.sort((a, b) => {
    const r = cmp(a, b);
    return Number.isNaN(r) ? 0 : r;
  });
}

/** str.split(sep, maxsplit) with Python semantics (sep null = runs of whitespace). */
export function pySplit(s: string, sep: string | null, maxSplit: number): string[] {
  if (sep === '') throw new PyError('ValueError', 'empty separator');
  if (sep === null) {
    const out: string[] = [];
    let i = 0;
    const ws = /\s/u;
    while (i < s.length) {
      while (i < s.length && ws.test(s[i]!)) i++;
      if (i >= s.length) break;
      if (maxSplit >= 0 && out.length === maxSplit) {
        out.push(s.slice(i).replace(/\s+$/u, ''));
        return out;
      }
      let j = i;
      while (j < s.length && !ws.test(s[j]!)) j++;
      out.push(s.slice(i, j));
      i = j;
    }
    return out;
  }
  const out: string[] = [];
  let start = 0;
  for (;;) {
    if (maxSplit >= 0 && out.length === maxSplit) break;
    const at = s.indexOf(sep, start);
    if (at < 0) break;
    out.push(s.slice(start, at));
    start = at + sep.length;
  }
  out.push(s.slice(start));
  return out;
}

/** jsonpath-rw-ext `split(c, seg, max)`: any failure means no match. */
export function splitOperator(v: PyValue, sep: string, segment: number, maxSplit: number): string | undefined {
  if (typeof v !== 'string') return undefined;
  const parts = pySplit(v, sep, maxSplit);
  return segment < parts.length ? parts[segment] : undefined;
}

/** jsonpath-rw-ext `sub(/re/, repl)`: no change means no match; non-strings raise TypeError. */
export function subOperator(v: PyValue, re: RegExp, repl: string): string | undefined {
  if (typeof v !== 'string') throw new PyError('TypeError', 'expected string or bytes-like object');
  const out = v.replace(re, repl);
  return out === v ? undefined : out;
}

/** The value a `[?field OP value]` filter compares: NUMBER/BOOL literals coerce with int(). */
export type FilterLiteral = string | number | bigint | boolean | PyFloat;

/** jsonpath-rw-ext Expression for one candidate value: true (match), false, or throws. */
export function filterCompare(value: PyValue, op: string, lit: FilterLiteral, coerceInt: boolean, regex: RegExp | null): boolean {
  let v: PyValue = value;
  if (coerceInt) {
    try {
      v = pyInt(value);
    } catch (e) {
      if (e instanceof PyError && e.pyType === 'ValueError') return false;
      throw e;
    }
  }
  const l: PyValue = lit;
  switch (op) {
    case '=':
    case '==':
      return pyEquals(v, l);
    case '!=':
      return !pyEquals(v, l);
    case '<':
      return pyCompare(v, l, '<') < 0;
    case '<=':
      return pyCompare(v, l, '<=') <= 0;
    case '>':
      return pyCompare(v, l, '>') > 0;
    case '>=':
      return pyCompare(v, l, '>=') >= 0;
    case '~':
      if (typeof v !== 'string') throw new PyError('TypeError', 'expected string or bytes-like object');
      regex!.lastIndex = 0;
      return regex!.test(v);
  }
  return false;
}

const NO_RESULT = Symbol('TypeError');

/** Python `a OP b` for + - *; returns NO_RESULT where Python raises TypeError (caught by ext). */
export function pyArith(a: PyValue, op: '+' | '-' | '*' | '/', b: PyValue): PyValue | typeof NO_RESULT {
  const na = numericValue(a);
  const nb = numericValue(b);
  if (na !== undefined && nb !== undefined) {
    const floaty = isFloat(a) || isFloat(b);
    if (floaty || op === '/') {
      const x = Number(na);
      const y = Number(nb);
      if (op === '/') {
        if (y === 0) throw new PyError('ZeroDivisionError', 'division by zero');
        return makeFloat(x / y);
      }
      return makeFloat(op === '+' ? x + y : op === '-' ? x - y : x * y);
    }
    const x = BigInt(na);
    const y = BigInt(nb);
    return makeInt(op === '+' ? x + y : op === '-' ? x - y : x * y);
  }
  if (op === '+') {
    if (typeof a === 'string' && typeof b === 'string') return a + b;
    if (Array.isArray(a) && Array.isArray(b)) return [...a, ...b];
    return NO_RESULT;
  }
  if (op === '*') {
    const rep = (seq: PyValue, k: PyValue): PyValue | typeof NO_RESULT => {
      const n = typeof k === 'boolean' ? (k ? 1 : 0) : typeof k === 'number' && Number.isInteger(k) ? k : null;
      if (n === null) return NO_RESULT;
      if (typeof seq === 'string') return n <= 0 ? '' : seq.repeat(n);
      if (Array.isArray(seq)) return n <= 0 ? [] : Array.from({ length: n }, () => seq).flat(1);
      return NO_RESULT;
    };
    if (typeof a === 'string' || Array.isArray(a)) return rep(a, b);
    if (typeof b === 'string' || Array.isArray(b)) return rep(b, a);
  }
  return NO_RESULT;
}
export { NO_RESULT };

// ---- trait plugins (ceilometer/event/trait_plugins.py) ----

/** SplitterTraitPlugin: str(value).split(sep, max)[segment] per match; IndexError -> None. */
export function splitPluginValue(v: PyValue, sep: string | null, segment: number, maxSplit: number | null): string | null {
  const parts = pySplit(pyStr(v), sep, maxSplit ?? -1);
  const j = segment < 0 ? parts.length + segment : segment;
  return j >= 0 && j < parts.length ? parts[j]! : null;
}

/** BitfieldTraitPlugin's `bitfield |= 2 ** bit`: an int or bool bitfield gives an int, anything else raises. */
export function bitfieldSet(bitfield: PyValue, bit: number): number | bigint {
  if (typeof bitfield === 'boolean' || isInt(bitfield)) {
    return makeInt(BigInt(bitfield) | (1n << BigInt(bit)));
  }
  throw new PyError('TypeError', `unsupported operand type(s) for |=: '${pyTypeName(bitfield)}' and 'int'`);
}

/** MapTraitPlugin key lookup with Python dict semantics (1 == 1.0 == True). */
export function mapLookup(values: Array<[PyValue, PyValue]>, key: PyValue, caseSensitive: boolean): { found: boolean; value: PyValue } {
  if (Array.isArray(key) || key instanceof Map) return { found: false, value: null };
  const k = caseSensitive || typeof key !== 'string' ? key : casefold(key);
  for (const [mk, mv] of values) {
    const kk = caseSensitive || typeof mk !== 'string' ? mk : casefold(mk);
    if (pyEquals(kk, k) && (typeof kk === 'string') === (typeof k === 'string')) return { found: true, value: mv };
  }
  return { found: false, value: null };
}

/** str.casefold() approximation: full case folding via upper-then-lower. */
function casefold(s: string): string {
  return s.toUpperCase().toLowerCase();
}
