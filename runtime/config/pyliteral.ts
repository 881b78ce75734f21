// Python literals as ast.literal_eval reads them (Python 3.11), restricted to what maps to JSON:
// dicts with string keys, lists, tuples (-> lists), str (all quote forms, r/u prefixes, escapes,
// implicit concatenation), int (any base, `_`, exact beyond 2^53), float, True/False/None,
// unary +/-, comments and line joining. Everything else is an error with an offset.
import { type PyValue, makeFloat } from '../semantics/pyvalue.js';

export type LitNode =
  | { kind: 'dict'; entries: Array<{ key: LitNode & { kind: 'str' }; value: LitNode }>; start: number; end: number }
  | { kind: 'list'; items: LitNode[]; tuple: boolean; start: number; end: number }
  | { kind: 'str'; value: string; start: number; end: number }
  | { kind: 'int'; value: number | bigint; start: number; end: number }
  | { kind: 'float'; value: number; start: number; end: number }
  | { kind: 'bool'; value: boolean; start: number; end: number }
  | { kind: 'none'; start: number; end: number };

/** Values literal_eval accepts but JSON cannot carry: rejected only if they survive into the result. */
type Foreign = { kind: 'foreign'; what: string; hashable: boolean; start: number; end: number };
type AnyNode = LitNode | Foreign | { kind: 'rawdict'; entries: Array<{ key: AnyNode; value: AnyNode }>; start: number; end: number } | { kind: 'rawlist'; items: AnyNode[]; tuple: boolean; start: number; end: number };

export class LiteralError extends Error {
  constructor(
    message: string,
    readonly start: number,
    readonly end: number,
  ) {
    super(message);
  }
}

type Tok =
  | { t: 'op'; v: string; start: number; end: number }
  | { t: 'str'; v: string; bytes: boolean; fstring: boolean; start: number; end: number }
  | { t: 'num'; v: string; start: number; end: number }
  | { t: 'name'; v: string; start: number; end: number }
  | { t: 'end'; start: number; end: number };

const NAME_START = /[\p{L}\p{Nl}_\u1885\u1886\u2118\u212e\u309b\u309c]/u;
const NAME_CONT = /[\p{L}\p{Nl}\p{Mn}\p{Mc}\p{Nd}\p{Pc}_\u00b7\u0387\u1369-\u1371\u19da]/u;

function tokenize(src: string): Tok[] {
  const out: Tok[] = [];
  // literal_eval strips leading spaces and tabs; later lines outside brackets must not be indented.
  let i = /^[ \t]*/.exec(src)![0].length;
  let depth = 0;
  let lineStart = false;
  const n = src.length;
  const fail = (msg: string, at = i, to = at + 1): never => {
    throw new LiteralError(msg, at, to);
  };
  while (i < n) {
    if (lineStart && depth === 0) {
      lineStart = false;
      let j = i;
      let indented = false;
      while (j < n && (src[j] === ' ' || src[j] === '\t' || src[j] === '\f')) {
        indented = src[j] === '\f' ? false : true;
        j++;
      }
      const rest = src[j];
      if (indented && (rest === undefined || (rest !== '#' && rest !== '\n' && rest !== '\r'))) fail('unexpected indent: outside brackets a literal cannot continue on an indented line', i, Math.max(j, i + 1));
      i = j;
      continue;
    }
    const c = src[i]!;
    if (c === ' ' || c === '\t' || c === '\f') {
      i++;
      continue;
    }
    if (c === '\\') {
      // explicit line joining
      if (i + 1 >= n || (i + 2 >= n && src[i + 1] === '\n')) fail('unexpected end of the value after a line continuation');
      if (src[i + 1] === '\n') {
        i += 2;
        continue;
      }
      if (src.startsWith('\r\n', i + 1)) {
        i += 3;
        continue;
      }
      fail('unexpected character after line continuation character');
    }
    if (c === '#') {
      while (i < n && src[i] !== '\n' && src[i] !== '\r') i++;
      continue;
    }
    if (c === '\n' || c === '\r') {
      // Inside brackets newlines are insignificant; outside they end the expression, which
      // is then followed by nothing but blank lines and comments.
      if (depth === 0 && out.length > 0) out.push({ t: 'op', v: 'NEWLINE', start: i, end: i + 1 });
      i += c === '\r' && src[i + 1] === '\n' ? 2 : 1;
      lineStart = depth === 0;
      continue;
    }
    const start = i;
    // strings, with optional prefix
    const prefix = /^(?:[rRuUbBfF]|[bB][rR]|[rR][bB]|[fF][rR]|[rR][fF])?(?='|")/.exec(src.slice(i, i + 3));
    if (prefix) {
      const p = prefix[0].toLowerCase();
      i += p.length;
      const q = src[i]!;
      const triple = src.startsWith(q.repeat(3), i);
      const quote = triple ? q.repeat(3) : q;
      i += quote.length;
      const bodyStart = i;
      for (;;) {
        if (i >= n) fail(triple ? 'unterminated triple-quoted string literal' : 'unterminated string literal', start, n);
        const ch = src[i]!;
        if (ch === '\\') {
          i += 2;
          continue;
        }
        if (!triple && (ch === '\n' || ch === '\r')) fail('unterminated string literal', start, i);
        if (src.startsWith(quote, i)) break;
        i++;
      }
      const raw = src.slice(bodyStart, i);
      i += quote.length;
      const isRaw = p.includes('r');
      out.push({ t: 'str', v: isRaw ? raw.replace(/\r\n?/g, '\n') : unescape(raw, bodyStart), bytes: p.includes('b'), fstring: p.includes('f'), start, end: i });
      continue;
    }
    if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(src[i + 1] ?? ''))) {
      const m = /^(?:0[xX](?:_?[0-9a-fA-F])+|0[oO](?:_?[0-7])+|0[bB](?:_?[01])+|(?:[0-9](?:_?[0-9])*)?(?:\.(?:[0-9](?:_?[0-9])*)?)?(?:[eE][+-]?[0-9](?:_?[0-9])*)?[jJ]?)/.exec(src.slice(i));
      const lexeme = m![0];
      if (!lexeme || lexeme === '.') fail('invalid syntax');
      i += lexeme.length;
      if (i < n && NAME_CONT.test(src[i]!)) fail('invalid decimal literal', start, i + 1);
      out.push({ t: 'num', v: lexeme, start, end: i });
      continue;
    }
    if (NAME_START.test(c)) {
      while (i < n && NAME_CONT.test(src[i]!)) i++;
      out.push({ t: 'name', v: src.slice(start, i), start, end: i });
      continue;
    }
    if ('([{'.includes(c)) depth++;
    if (')]}'.includes(c)) depth = Math.max(0, depth - 1);
    if ('()[]{},:+-'.includes(c)) {
      out.push({ t: 'op', v: c, start, end: i + 1 });
      i++;
      continue;
    }
    if (c === '.' && src.startsWith('...', i)) {
      out.push({ t: 'op', v: '...', start, end: i + 3 });
      i += 3;
      continue;
    }
    fail(`invalid character ${JSON.stringify(c)}: a literal may only contain dicts, lists, tuples, strings, numbers, True, False and None`);
  }
  // Trailing NEWLINE tokens are harmless.
  while (out.length && out[out.length - 1]!.t === 'op' && (out[out.length - 1] as { v: string }).v === 'NEWLINE') out.pop();
  out.push({ t: 'end', start: n, end: n });
  return out;
}

const SIMPLE_ESCAPES: Record<string, string> = { '\n': '', '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };

function unescape(raw: string, at: number): string {
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (c === '\r') {
      // universal newlines inside triple-quoted strings
      out += '\n';
      if (raw[i + 1] === '\n') i++;
      continue;
    }
    if (c !== '\\') {
      out += c;
      continue;
    }
    const e = raw[i + 1];
    if (e === undefined) break;
    if (e === '\r') {
      i += raw[i + 2] === '\n' ? 2 : 1;
      continue;
    }
    if (e in SIMPLE_ESCAPES) {
      out += SIMPLE_ESCAPES[e];
      i++;
      continue;
    }
    if (/[0-7]/.test(e)) {
      const m = /^[0-7]{1,3}/.exec(raw.slice(i + 1))![0];
      out += String.fromCodePoint(parseInt(m, 8));
      i += m.length;
      continue;
    }
    const hex = e === 'x' ? 2 : e === 'u' ? 4 : e === 'U' ? 8 : 0;
    if (hex) {
      const h = raw.slice(i + 2, i + 2 + hex);
      if (!new RegExp(`^[0-9a-fA-F]{${hex}}$`).test(h)) throw new LiteralError(`truncated \\${e}${'X'.repeat(hex)} escape`, at + i, at + i + 2 + h.length);
      const cp = parseInt(h, 16);
      if (cp > 0x10ffff) throw new LiteralError(`illegal Unicode character \\U${h}`, at + i, at + i + 10);
      out += String.fromCodePoint(cp);
      i += 1 + hex;
      continue;
    }
    if (e === 'N') throw new LiteralError('\\N{...} escapes are not supported: write the character itself or \\u/\\U', at + i, at + i + 2);
    // Unknown escapes stay as written (Python warns, keeps the backslash).
    out += '\\';
  }
  return out;
}

function parseNumber(tok: { v: string; start: number; end: number }): AnyNode {
  const v = tok.v.replace(/_/g, '');
  const { start, end } = tok;
  if (/[jJ]$/.test(v)) return { kind: 'foreign', what: 'complex numbers', hashable: true, start, end };
  if (/^0[xX]/.test(v)) return { kind: 'int', value: toIntValue(BigInt(v)), start, end };
  if (/^0[oO]/.test(v)) return { kind: 'int', value: toIntValue(BigInt('0o' + v.slice(2))), start, end };
  if (/^0[bB]/.test(v)) return { kind: 'int', value: toIntValue(BigInt(v)), start, end };
  if (/^[0-9]+$/.test(v)) {
    if (/^0+[1-9]/.test(v)) throw new LiteralError('leading zeros in decimal integer literals are not permitted; use an 0o prefix for octal integers', start, end);
    return { kind: 'int', value: toIntValue(BigInt(v)), start, end };
  }
  return { kind: 'float', value: Number(v), start, end };
}

const toIntValue = (b: bigint): number | bigint => (b >= BigInt(Number.MIN_SAFE_INTEGER) && b <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(b) : b);

const isNumber = (n: AnyNode): boolean => n.kind === 'int' || n.kind === 'float' || (n.kind === 'foreign' && n.what === 'complex numbers');

function hashable(n: AnyNode): boolean {
  if (n.kind === 'rawdict' || n.kind === 'dict') return false;
  if (n.kind === 'rawlist' || n.kind === 'list') return n.tuple && (n.kind === 'rawlist' ? n.items.every(hashable) : true);
  if (n.kind === 'foreign') return n.hashable;
  return true;
}

/** Parse a Python literal. Offsets in nodes and errors are indices into `src`. */
export function parsePyLiteral(src: string): LitNode {
  const toks = tokenize(src);
  const signed = new WeakSet<AnyNode>();
  let k = 0;
  const peek = (): Tok => toks[k]!;
  const next = (): Tok => toks[k++]!;
  const isOp = (t: Tok, v: string): boolean => t.t === 'op' && t.v === v;
  const fail = (t: { start: number; end: number }, msg: string): never => {
    throw new LiteralError(msg, t.start, Math.max(t.end, t.start + 1));
  };
  const describe = (t: Tok): string => (t.t === 'end' ? 'the end of the value' : t.t === 'op' && t.v === 'NEWLINE' ? 'a line break outside brackets' : JSON.stringify(t.t === 'str' ? '(string)' : t.v));

  // A value, then literal_eval's one binary form: real +/- imaginary.
  const value = (): AnyNode => {
    const left = operand();
    const t = peek();
    if (isOp(t, '+') || isOp(t, '-')) {
      next();
      const right = operand();
      const leftOk = left.kind === 'int' || left.kind === 'float';
      const rightOk = right.kind === 'foreign' && right.what === 'complex numbers' && !signed.has(right);
      if (!leftOk || !rightOk) fail({ start: left.start, end: right.end }, 'arithmetic is not a literal (only a complex number may be written as real + imaginary)');
      return { kind: 'foreign', what: 'complex numbers', hashable: true, start: left.start, end: right.end };
    }
    return left;
  };

  const operand = (): AnyNode => {
    const t = next();
    switch (t.t) {
      case 'str': {
        let text = t.v;
        let end = t.end;
        let bytes = t.bytes;
        if (t.fstring) fail(t, 'f-strings are not literals');
        while (peek().t === 'str') {
          const u = next() as Extract<Tok, { t: 'str' }>;
          if (u.bytes !== bytes) fail(u, 'cannot mix bytes and nonbytes literals');
          if (u.fstring) fail(u, 'f-strings are not literals');
          text += u.v;
          end = u.end;
        }
        if (bytes) return { kind: 'foreign', what: 'bytes', hashable: true, start: t.start, end };
        return { kind: 'str', value: text, start: t.start, end };
      }
      case 'num':
        return parseNumber(t);
      case 'name':
        if (t.v === 'True' || t.v === 'False') return { kind: 'bool', value: t.v === 'True', start: t.start, end: t.end };
        if (t.v === 'None') return { kind: 'none', start: t.start, end: t.end };
        if (t.v === 'set' && isOp(peek(), '(') && isOp(toks[k + 1]!, ')')) {
          next();
          const close = next();
          return { kind: 'foreign', what: 'sets', hashable: false, start: t.start, end: close.end };
        }
        return fail(t, `'${t.v}' is not a literal: only True, False and None are names a literal may use (is a string missing its quotes?)`);
      case 'op':
        if (t.v === '-' || t.v === '+') {
          const x = operand();
          // literal_eval takes one sign on a number constant: not `--1`, not `-True`.
          if (!isNumber(x) || signed.has(x)) fail(t, `unary ${t.v} applies only to a number`);
          let r: AnyNode;
          if (t.v === '+' || x.kind === 'foreign') r = { ...x, start: t.start };
          else if (x.kind === 'int') r = { kind: 'int', value: toIntValue(-BigInt(x.value)), start: t.start, end: x.end };
          else r = { kind: 'float', value: -(x as { value: number }).value, start: t.start, end: x.end };
          signed.add(r);
          return r;
        }
        if (t.v === '[') return sequence(t, ']', false);
        if (t.v === '(') {
          if (isOp(peek(), ')')) {
            const close = next();
            return { kind: 'rawlist', items: [], tuple: true, start: t.start, end: close.end };
          }
          const first = value();
          if (isOp(peek(), ')')) {
            next();
            return first; // parentheses only group
          }
          if (!isOp(peek(), ',')) fail(peek(), `expected ',' or ')' but found ${describe(peek())}`);
          next();
          return sequence(t, ')', true, first);
        }
        if (t.v === '{') return braces(t);
        if (t.v === '...') return { kind: 'foreign', what: '`...` (Ellipsis)', hashable: true, start: t.start, end: t.end };
        return fail(t, `unexpected ${describe(t)}`);
      default:
        return fail(t, `expected a value but found ${describe(t)}`);
    }
  };

  const sequence = (open: Tok, close: string, tuple: boolean, first?: AnyNode): AnyNode => {
    const items: AnyNode[] = first ? [first] : [];
    for (;;) {
      if (isOp(peek(), close)) {
        const c = next();
        return { kind: 'rawlist', items, tuple, start: open.start, end: c.end };
      }
      items.push(value());
      if (isOp(peek(), ',')) {
        next();
        continue;
      }
      if (!isOp(peek(), close)) fail(peek(), `expected ',' or '${close}' but found ${describe(peek())}`);
    }
  };

  // A dict, or a set literal.
  const braces = (open: Tok): AnyNode => {
    const entries: Array<{ key: AnyNode; value: AnyNode }> = [];
    const members: AnyNode[] = [];
    for (;;) {
      if (isOp(peek(), '}')) {
        const c = next();
        if (members.length) return { kind: 'foreign', what: 'sets', hashable: false, start: open.start, end: c.end };
        return { kind: 'rawdict', entries, start: open.start, end: c.end };
      }
      const key = value();
      if (isOp(peek(), ':') && members.length === 0) {
        next();
        entries.push({ key, value: value() });
      } else if (entries.length === 0) members.push(key);
      else fail(peek(), `expected ':' after a dict key but found ${describe(peek())}`);
      if (isOp(peek(), ',')) {
        next();
        continue;
      }
      if (!isOp(peek(), '}')) fail(peek(), `expected ',' or '}' but found ${describe(peek())}`);
    }
  };

  const result = value();
  if (peek().t !== 'end') fail(peek(), `unexpected ${describe(peek())} after the value`);
  // Python builds every dict and set before anything else: unhashable keys fail wherever they are.
  checkHashable(result);
  return effective(result);
}

function checkHashable(n: AnyNode): void {
  if (n.kind === 'rawdict') {
    for (const e of n.entries) {
      checkHashable(e.key);
      checkHashable(e.value);
      if (!hashable(e.key)) throw new LiteralError('a dict key must be hashable (a list or dict cannot be a key)', e.key.start, e.key.end);
    }
  } else if (n.kind === 'rawlist') n.items.forEach(checkHashable);
}

/** The value literal_eval returns (a later duplicate key replaces an earlier value), as JSON-able nodes. */
function effective(n: AnyNode): LitNode {
  switch (n.kind) {
    case 'foreign':
      throw new LiteralError(`${n.what} are not values Herald can use (JSON has none)`, n.start, n.end);
    case 'rawlist':
      return { kind: 'list', items: n.items.map(effective), tuple: n.tuple, start: n.start, end: n.end };
    case 'rawdict': {
      // A repeated key keeps its first position and takes its last value.
      const byKey = new Map<string, { key: LitNode & { kind: 'str' }; value: AnyNode }>();
      for (const e of n.entries) {
        if (e.key.kind !== 'str') throw new LiteralError('dict keys must be strings (JSON objects have string keys)', e.key.start, e.key.end);
        const known = byKey.get(e.key.value);
        if (known) known.value = e.value;
        else byKey.set(e.key.value, { key: e.key, value: e.value });
      }
      return { kind: 'dict', entries: [...byKey.values()].map((e) => ({ key: e.key, value: effective(e.value) })), start: n.start, end: n.end };
    }
    default:
      return n;
  }
}

/** The literal's value in Herald's Python value model (dicts keep the last value of a key). */
export function literalValue(node: LitNode): PyValue {
  switch (node.kind) {
    case 'dict': {
      const m = new Map<string, PyValue>();
      for (const e of node.entries) m.set(e.key.value, literalValue(e.value));
      return m;
    }
    case 'list':
      return node.items.map(literalValue);
    case 'str':
    case 'bool':
      return node.value;
    case 'int':
      return node.value;
    case 'float':
      return makeFloat(node.value);
    case 'none':
      return null;
  }
}

