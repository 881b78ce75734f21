// Python-exact JSON through V8's JSON.parse, for the texts where that is provably exact.
//
// JSON.parse loses exactly four things Python's json keeps: float tokens that are integral
// (`1.0`, `1e16`, `1.0000000000000001` must stay floats), ints past 2^53, the int `-0` (which is
// 0), and the order of keys that look like array indices. Number tokens are found by one regex
// pass and turned into marked strings before JSON.parse (so their lexeme survives), keys are
// checked while the result becomes Python data. Anything else JSON.parse would answer
// differently (NaN, Infinity, every syntax error, nesting past Python's limit) is left to the
// exact reader: this returns undefined then.
import { PyError, type PyValue, makeFloat, makeInt } from './pyvalue.js';

/** Python refuses to convert ints longer than this many digits (sys.int_info, 3.11). */
export const MAX_INT_DIGITS = 4300;

/** Marks a string that carries a number lexeme; JSON text can only make one from `\u0000`. */
const MARK = '\u0000';

/**
 * A complete number token in value position whose lexeme matters: a float (fraction or
 * exponent), an int of 16 digits or more, or `-0`. Value position means after `:`, `,` or `[`
 * and before `,`, `]` or `}`; the grammar is JSON's own, so no invalid token becomes valid. A
 * match inside a string turns into a syntax error (the inserted quote closes the string and a
 * backslash follows), so such a text goes to the exact reader instead.
 */
const LEXEME_NEEDED = /([:,[][ \t\n\r]*)(-?(?:0|[1-9][0-9]*)(?:\.[0-9]+(?:[eE][-+]?[0-9]+)?|[eE][-+]?[0-9]+)|-?[1-9][0-9]{15,}|-0)(?=[ \t\n\r]*[,\]}])/g;

/** A canonical array index, which a JS object would move ahead of the other keys. */
const INDEX_LIKE = /^(?:0|[1-9][0-9]{0,9})$/;

class NeedsExactReader {}
const NEEDS_EXACT = new NeedsExactReader();

/**
 * parsePyJson's answer via JSON.parse, or undefined when only the exact reader can give it.
 * Texts nesting deeper than `maxDepth` are left to the exact reader (it raises RecursionError).
 */
export function parseViaJsonParse(text: string, maxDepth: number): PyValue | undefined {
  const first = text.charCodeAt(firstNonSpace(text));
  // A bare scalar has no value position around it: only containers come this way.
  if (first !== 123 && first !== 91) return undefined;
  // An original `\u0000` could start a string that would read as a mark.
  if (!shallowerThan(text, maxDepth) || text.includes('\\u0000')) return undefined;
  const rewritten = text.replace(LEXEME_NEEDED, (_all, before: string, lexeme: string) => `${before}"\\u0000${lexeme}"`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(rewritten);
  } catch {
    return undefined;
  }
  try {
    return toPython(parsed);
  } catch (e) {
    if (e === NEEDS_EXACT) return undefined;
    throw e;
  }
}

function firstNonSpace(text: string): number {
  let i = 0;
  for (let c = text.charCodeAt(0); c === 32 || c === 9 || c === 10 || c === 13; c = text.charCodeAt(++i));
  return i;
}

/**
 * True when the text surely nests no deeper than `max`: it has at most `max` opening brackets
 * (strings included, so this only errs towards "maybe deeper"), else the exact count decides.
 */
export function shallowerThan(text: string, max: number): boolean {
  let n = 0;
  for (let i = text.indexOf('{'); i >= 0; i = text.indexOf('{', i + 1)) if (++n > max) return depthOf(text, max) <= max;
  for (let i = text.indexOf('['); i >= 0; i = text.indexOf('[', i + 1)) if (++n > max) return depthOf(text, max) <= max;
  return true;
}

/** Deepest [/{ nesting outside strings; stops counting past `limit`. */
export function depthOf(text: string, limit: number): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++;
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 91 || c === 123) {
      if (++depth > max && (max = depth) > limit) return max;
    } else if (c === 93 || c === 125) depth--;
  }
  return max;
}

function toPython(v: unknown): PyValue {
  if (typeof v === 'string') return v.charCodeAt(0) === 0 ? fromLexeme(v) : v;
  if (typeof v === 'number') return v === 0 ? 0 : v; // only ints reach here unmarked; `-0` never does
  if (v === null || typeof v !== 'object') return v as PyValue;
  if (Array.isArray(v)) {
    const out: PyValue[] = new Array<PyValue>(v.length);
    for (let i = 0; i < v.length; i++) out[i] = toPython(v[i]);
    return out;
  }
  const o = v as Record<string, unknown>;
  const out = new Map<string, PyValue>();
  for (const k of Object.keys(o)) {
    const c = k.charCodeAt(0);
    if (c >= 48 && c <= 57 && INDEX_LIKE.test(k) && Number(k) < 4294967295) throw NEEDS_EXACT;
    out.set(k, toPython(o[k]));
  }
  return out;
}

/** A marked lexeme -> the value parseExactly gives for it. */
function fromLexeme(marked: string): PyValue {
  const lexeme = marked.slice(MARK.length);
  for (let i = 0; i < lexeme.length; i++) {
    const c = lexeme.charCodeAt(i);
    if (c === 46 || c === 101 || c === 69) return makeFloat(Number(lexeme));
  }
  const digits = lexeme.charCodeAt(0) === 45 ? lexeme.length - 1 : lexeme.length;
  if (digits > MAX_INT_DIGITS) throw new PyError('ValueError', `Exceeds the limit (${MAX_INT_DIGITS} digits) for integer string conversion`);
  if (digits <= 15) return 0; // `-0`, the only short int that is marked
  return makeInt(BigInt(lexeme));
}
