// The value model shared by the interpreter and the generated decoders.
//
// A notification is Python data once oslo.messaging has parsed it, so Herald keeps Python's
// distinctions that JavaScript loses: int vs float (`1` vs `1.0`), unbounded ints, and
// insertion-ordered dicts whose keys can never reach a prototype.
//   str -> string, None -> null, bool -> boolean,
//   int -> number (safe integer) | bigint (beyond 2^53),
//   float -> number when not integral (1.5, NaN, Infinity) | PyFloat when integral (1.0, -0.0, 1e16),
//   list -> PyValue[], dict -> Map<string, PyValue>.

/** A float whose value is integral, so a bare JS number would read as an int. */
export class PyFloat {
  constructor(readonly value: number) {}
}

export type PyDict = Map<string, PyValue>;
export type PyValue = null | boolean | number | bigint | string | PyFloat | PyValue[] | PyDict;

/** Raised where Python would raise: the message carries Python's exception class name. */
export class PyError extends Error {
  constructor(
    readonly pyType: string,
    message: string,
  ) {
    // These are data errors reported per message, never bugs: a stack trace would only cost time.
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(`${pyType}: ${message}`);
    Error.stackTraceLimit = limit;
    this.name = 'PyError';
  }
}

/** True for Python ints (bool excluded). */
export function isInt(v: PyValue): v is number | bigint {
  return typeof v === 'bigint' || (typeof v === 'number' && Number.isInteger(v));
}

/** True for Python floats. */
export function isFloat(v: PyValue): v is number | PyFloat {
  return v instanceof PyFloat || (typeof v === 'number' && !Number.isInteger(v));
}

/** Wrap a float result so that an integral value stays a float. */
export function makeFloat(x: number): number | PyFloat {
  return Number.isInteger(x) || Object.is(x, -0) ? new PyFloat(x) : x;
}

/** Normalise an exact integer to the smallest representation (number when safe). */
export function makeInt(x: bigint): number | bigint {
  return x >= BigInt(Number.MIN_SAFE_INTEGER) && x <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(x) : x;
}

/** Python's `type(v).__name__`, for error messages. */
export function pyTypeName(v: PyValue | undefined): string {
  if (v === null || v === undefined) return 'NoneType';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'string') return 'str';
  if (Array.isArray(v)) return 'list';
  if (v instanceof Map) return 'dict';
  return isInt(v) ? 'int' : 'float';
}

/** Numeric value of a bool/int/float as a JS number or bigint, or undefined for other types. */
export function numericValue(v: PyValue): number | bigint | undefined {
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'number' || typeof v === 'bigint') return v;
  if (v instanceof PyFloat) return v.value;
  return undefined;
}

function compareNumbers(a: number | bigint, b: number | bigint): number {
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : a === b ? 0 : NaN;
  if (typeof a === 'bigint' && typeof b === 'bigint') return a < b ? -1 : a > b ? 1 : 0;
  // Mixed exact/float comparison, exact like Python's.
  const f = typeof a === 'number' ? a : (b as number);
  const i = typeof a === 'bigint' ? a : (b as bigint);
  if (Number.isNaN(f)) return NaN;
  let r: number;
  if (!Number.isFinite(f)) r = f > 0 ? 1 : -1;
  else {
    const fi = BigInt(Math.trunc(f));
    r = fi < i ? -1 : fi > i ? 1 : f - Math.trunc(f) > 0 ? 1 : f - Math.trunc(f) < 0 ? -1 : 0;
  }
  return typeof a === 'number' ? r : -r;
}

/** Python `==`. */
export function pyEquals(a: PyValue, b: PyValue): boolean {
  const na = numericValue(a);
  const nb = numericValue(b);
  if (na !== undefined || nb !== undefined) return na !== undefined && nb !== undefined && compareNumbers(na, nb) === 0;
  if (a === null || b === null) return a === b;
  if (typeof a === 'string' || typeof b === 'string') return a === b;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => pyEquals(x, b[i]!));
  if (a instanceof Map && b instanceof Map) {
    if (a.size !== b.size) return false;
    for (const [k, v] of a) if (!b.has(k) || !pyEquals(v, b.get(k)!)) return false;
    return true;
  }
  return false;
}

/** Compare strings by code point, as Python does (JS compares UTF-16 units). */
export function compareStrings(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) return x < y ? -1 : 1;
    if (x > 0xffff) i++;
  }
  return a.length - b.length < 0 ? -1 : a.length === b.length ? 0 : 1;
}

/** Python's rich ordering for `<`-style operators; throws TypeError for unorderable pairs. */
export function pyCompare(a: PyValue, b: PyValue, op: string): number {
  const na = numericValue(a);
  const nb = numericValue(b);
  if (na !== undefined && nb !== undefined) return compareNumbers(na, nb);
  if (typeof a === 'string' && typeof b === 'string') return compareStrings(a, b);
  if (Array.isArray(a) && Array.isArray(b)) {
    const n = Math.min(a.length, b.length);
    for (let i = 0; i < n; i++) if (!pyEquals(a[i]!, b[i]!)) return pyCompare(a[i]!, b[i]!, op);
    return a.length - b.length;
  }
  throw new PyError('TypeError', `'${op}' not supported between instances of '${pyTypeName(a)}' and '${pyTypeName(b)}'`);
}

