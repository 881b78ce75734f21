// Python's str()/repr() of parsed notification data: what a `text` trait holds.
import { PyFloat, type PyValue } from './pyvalue.js';

/** repr(float) in CPython's 'short' style: shortest round-trip digits, exponent outside [1e-4, 1e16). */
export function floatRepr(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const [mant, expStr] = x.toExponential().split('e') as [string, string];
  const neg = mant.startsWith('-');
  const digits = mant.replace('-', '').replace('.', '');
  const decpt = Number(expStr) + 1; // value = 0.DIGITS * 10^decpt
  let body: string;
  if (decpt > 16 || decpt < -3) {
    const e = decpt - 1;
    const m = digits.length > 1 ? digits[0] + '.' + digits.slice(1) : digits;
    body = m + 'e' + (e < 0 ? '-' : '+') + String(Math.abs(e)).padStart(2, '0');
  } else if (decpt <= 0) {
    body = '0.' + '0'.repeat(-decpt) + digits;
  } else if (decpt >= digits.length) {
    body = digits + '0'.repeat(decpt - digits.length) + '.0';
  } else {
    body = digits.slice(0, decpt) + '.' + digits.slice(decpt);
  }
  return neg ? '-' + body : body;
}

// str.isprintable(): false for categories Cc, Cf, Cs, Co, Cn, Zl, Zp, Zs (except the space).
const NON_PRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]/u;
const NEEDS_ESCAPE = /[\\'"\x00-\x1f\x7f-\u{10ffff}]/u;

/** repr(str). */
export function strRepr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  if (!NEEDS_ESCAPE.test(s)) return quote + s + quote;
  let out = quote;
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === quote || ch === '\\') out += '\\' + ch;
    else if (ch === '\t') out += '\\t';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (cp < 0x20 || cp === 0x7f) out += '\\x' + cp.toString(16).padStart(2, '0');
    else if (cp < 0x7f) out += ch;
    else if (ch !== ' ' && NON_PRINTABLE.test(ch)) {
      if (cp <= 0xff) out += '\\x' + cp.toString(16).padStart(2, '0');
      else if (cp <= 0xffff) out += '\\u' + cp.toString(16).padStart(4, '0');
      else out += '\\U' + cp.toString(16).padStart(8, '0');
    } else out += ch;
  }
  return out + quote;
}

/** repr() of parsed data. */
export function pyRepr(v: PyValue | undefined): string {
  if (v === null || v === undefined) return 'None';
  switch (typeof v) {
    case 'string':
      return strRepr(v);
    case 'boolean':
      return v ? 'True' : 'False';
    case 'bigint':
      return v.toString();
    case 'number':
      return Number.isInteger(v) ? String(v) : floatRepr(v);
  }
  if (v instanceof PyFloat) return floatRepr(v.value);
  if (Array.isArray(v)) return '[' + v.map(pyRepr).join(', ') + ']';
  const parts: string[] = [];
  for (const [k, x] of v) parts.push(strRepr(k) + ': ' + pyRepr(x));
  return '{' + parts.join(', ') + '}';
}

/** str() of parsed data. */
export function pyStr(v: PyValue | undefined): string {
  return typeof v === 'string' ? v : pyRepr(v);
}

/** s[:n] counted in code points, as Python slices str. */
export function truncateCodePoints(s: string, n: number): string {
  if (s.length <= n) return s;
  let units = 0;
  let count = 0;
  while (units < s.length && count < n) {
    const cp = s.codePointAt(units)!;
    units += cp > 0xffff ? 2 : 1;
    count++;
  }
  return s.slice(0, units);
}
