// The only door from rule text to generated code. Every value a rule author wrote (patterns,
// paths, trait names, plugin parameters, labels) becomes a JSON-escaped literal or a sanitised
// comment here; identifiers are made from numbers, never from rule text. Property names are
// always quoted strings, and generated code reads data only through Map.get, so no key can reach
// a prototype.
import { PyFloat, type PyValue } from '../../runtime/semantics/pyvalue.js';

/** A JavaScript string literal. JSON.stringify escapes quotes, backslashes, controls and lone
 * surrogates; U+2028/U+2029 are escaped too so the text stays one line everywhere. */
export function str(s: string): string {
  return JSON.stringify(s).replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

export function num(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return 'Infinity';
  if (n === -Infinity) return '-Infinity';
  if (Object.is(n, -0)) return '-0';
  return String(n);
}

export function int(n: number | bigint): string {
  if (typeof n === 'bigint') return `${n}n`;
  if (!Number.isSafeInteger(n)) throw new Error(`codegen: ${n} is not a safe integer`);
  return String(n);
}

/** A PyValue as an expression; `rt` must be the runtime namespace in scope. */
export function pyLit(v: PyValue): string {
  if (v === null) return 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') return num(v);
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v === 'string') return str(v);
  if (v instanceof PyFloat) return `new rt.PyFloat(${num(v.value)})`;
  if (Array.isArray(v)) return `[${v.map(pyLit).join(', ')}]`;
  return `new Map<string, rt.PyValue>([${[...v].map(([k, x]) => `[${str(k)}, ${pyLit(x)}]`).join(', ')}])`;
}

/** A regular expression built at module load from an escaped source string. */
export function regex(source: string, flags: string): string {
  if (!/^[gimsuy]*$/.test(flags)) throw new Error(`codegen: bad regex flags ${flags}`);
  return `new RegExp(${str(source)}, ${str(flags)})`;
}

/** Text for a `//` comment: one line, no comment terminators, every control character escaped. */
export function commentText(s: string): string {
  return JSON.stringify(s)
    .slice(1, -1)
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029')
    .replace(/\*\//g, '*\\/');
}

/** An identifier made from a fixed prefix and a number. */
export function ident(prefix: string, n: number): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(prefix) || !Number.isSafeInteger(n) || n < 0) throw new Error(`codegen: bad identifier ${prefix}${n}`);
  return `${prefix}${n}`;
}

/** A quoted property name for an object type or literal. */
export const prop = str;
