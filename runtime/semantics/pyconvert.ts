// Python's int(), float() and str() as Ceilometer applies them to trait values (models.py).
import { PyFloat, PyError, type PyValue, makeInt, pyTypeName } from './pyvalue.js';
import { pyRepr, pyStr, truncateCodePoints } from './pyrepr.js';
import { MAX_INT_DIGITS } from './pyjson.js';

// str.isspace() characters; int()/float() strip them.
const PY_SPACE = /[\t\n\v\f\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]/u;
const DECIMAL_DIGIT = /\p{Nd}/u;

/**
 * Python's _PyUnicode_TransformDecimalAndSpaceToASCII: whitespace becomes ' ', Unicode decimal
 * digits become ASCII digits; any other non-ASCII character makes the literal invalid (null).
 */
function toAsciiNumeral(s: string): string | null {
  let ascii = true;
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) ascii = false;
  if (ascii) return s;
  let out = '';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (cp < 0x80) out += ch;
    else if (PY_SPACE.test(ch)) out += ' ';
    else if (DECIMAL_DIGIT.test(ch)) out += String(decimalDigitValue(cp));
    else return null;
  }
  return out;
}

/** Unicode decimal digits come in runs of ten starting at zero. */
function decimalDigitValue(cp: number): number {
  let start = cp;
  while (DECIMAL_DIGIT.test(String.fromCodePoint(start - 1))) start--;
  return (cp - start) % 10;
}

function stripPySpace(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && PY_SPACE.test(s[a]!)) a++;
  while (b > a && PY_SPACE.test(s[b - 1]!)) b--;
  return s.slice(a, b);
}

const INT_LITERAL = /^[+-]?\d(?:_?\d)*$/;

/** int(value). */
export function pyInt(v: PyValue): number | bigint {
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number' || v instanceof PyFloat) {
    const x = typeof v === 'number' ? v : v.value;
    if (Number.isInteger(x)) return x === 0 ? 0 : Number.isSafeInteger(x) ? x : BigInt(x);
    if (Number.isNaN(x)) throw new PyError('ValueError', 'cannot convert float NaN to integer');
    if (!Number.isFinite(x)) throw new PyError('OverflowError', 'cannot convert float infinity to integer');
    const t = Math.trunc(x);
    return t === 0 ? 0 : t;
  }
  if (typeof v === 'string') {
    const ascii = toAsciiNumeral(v);
    const s = ascii === null ? null : stripPySpace(ascii);
    if (s === null || !INT_LITERAL.test(s)) {
      throw new PyError('ValueError', `invalid literal for int() with base 10: ${pyRepr(v)}`);
    }
    const digits = s.replace(/[_+-]/g, '');
    if (digits.length > MAX_INT_DIGITS) {
      throw new PyError('ValueError', `Exceeds the limit (${MAX_INT_DIGITS} digits) for integer string conversion`);
    }
    return makeInt(BigInt(s.replace(/_/g, '')));
  }
  throw new PyError('TypeError', `int() argument must be a string, a bytes-like object or a real number, not '${pyTypeName(v)}'`);
}

const FLOAT_LITERAL = /^[+-]?(?:(?:\d(?:_?\d)*)?\.\d(?:_?\d)*|\d(?:_?\d)*\.?)(?:[eE][+-]?\d(?:_?\d)*)?$/;
const FLOAT_SPECIAL = /^([+-]?)(inf|infinity|nan)$/i;

/** float(value). */
export function pyFloat(v: PyValue): number {
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'number') return v;
  if (v instanceof PyFloat) return v.value;
  if (typeof v === 'bigint') {
    const x = Number(v);
    if (!Number.isFinite(x)) throw new PyError('OverflowError', 'int too large to convert to float');
    return x;
  }
  if (typeof v === 'string') {
    const ascii = toAsciiNumeral(v);
    const s = ascii === null ? null : stripPySpace(ascii);
    if (s !== null) {
      const special = FLOAT_SPECIAL.exec(s);
      if (special) {
        const neg = special[1] === '-';
        if (special[2]!.toLowerCase() === 'nan') return NaN;
        return neg ? -Infinity : Infinity;
      }
      if (FLOAT_LITERAL.test(s)) return Number(s.replace(/_/g, ''));
    }
    throw new PyError('ValueError', `could not convert string to float: ${pyRepr(v)}`);
  }
  throw new PyError('TypeError', `float() argument must be a string or a real number, not '${pyTypeName(v)}'`);
}

/** str(value)[:255], the text trait conversion. */
export function pyText(v: PyValue): string {
  return truncateCodePoints(pyStr(v), 255);
}

