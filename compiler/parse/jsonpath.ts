// Parser for the jsonpath-rw(-ext) dialect Ceilometer uses (decode.md §6).
//
// The reference is a PLY LALR grammar whose ambiguities are settled by a precedence table;
// this is a Pratt parser with the same binding powers (low to high): `+ -`, `* /`, `..`, `.`,
// `|`, `&`, `where`, then postfix `[...]`. The lexer tries rules in PLY's order: BOOL before
// ID (so `true` is never a field name), SORT_DIRECTION (`,?\s*[/\\]`) before literals (so `/`
// can never be division), FLOAT before NUMBER, then FILTER_OP, `..`, then single characters.
import type { FilterExpr, FilterValue, JsonPath, Operand, PathSpan, SortKey } from '../jsonpath-ast.js';
import { RegexUnsupported, translatePyRegex, translatePyReplacement } from './pyregex.js';
import { pyInt } from '../../runtime/semantics/pyconvert.js';

export class JsonPathError extends Error {
  constructor(
    message: string,
    readonly span: PathSpan,
  ) {
    super(message);
  }
}

type TokKind = 'BOOL' | 'SORT' | 'ID' | 'WHERE' | 'FLOAT' | 'NUMBER' | 'NAMED' | 'FILTER_OP' | 'DOUBLEDOT' | 'CHAR' | 'EOF';
interface Token {
  kind: TokKind;
  text: string; // CHAR: the character; ID/NAMED: the decoded value; SORT: '/' or '\\'
  start: number;
  end: number;
  quoted?: boolean;
}

const PY_SPACE = '\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const RULES: Array<[TokKind, RegExp]> = [
  ['BOOL', /true|false/y],
  ['SORT', new RegExp(`,?[${PY_SPACE}]*(\\/|\\\\)`, 'uy')],
  ['ID', /@?[a-zA-Z_][a-zA-Z0-9_@-]*/y],
  ['FLOAT', /-?\p{Nd}+\.\p{Nd}+/uy],
  ['NUMBER', /-?\p{Nd}+/uy],
];
const LITERALS = new Set(['*', '.', '[', ']', '(', ')', '$', ',', ':', '|', '&', '?', '@', '+', '/', '-']);

export function tokenize(src: string): Token[] {
  const toks: Token[] = [];
  let pos = 0;
  outer: while (pos < src.length) {
    const c = src[pos]!;
    if (c === ' ' || c === '\t' || c === '\n') {
      pos++;
      continue;
    }
    for (const [kind, re] of RULES) {
      re.lastIndex = pos;
      const m = re.exec(src);
      if (m) {
        let text = m[0];
        let k = kind;
        if (kind === 'SORT') text = m[1]!;
        if (kind === 'ID' && text === 'where') k = 'WHERE';
        toks.push({ kind: k, text, start: pos, end: pos + m[0].length });
        pos += m[0].length;
        continue outer;
      }
    }
    if (c === "'" || c === '"' || c === '`') {
      // Quoted field or backquoted operator: `\x` stands for x, `.` in the escape rule excludes '\n'.
      let value = '';
      let p = pos + 1;
      for (;;) {
        if (p >= src.length) throw new JsonPathError('unterminated string literal or identifier', { start: pos, end: src.length });
        const d = src[p]!;
        if (d === c) break;
        if (d === '\\') {
          const e = src[p + 1];
          if (e === undefined || e === '\n') throw new JsonPathError(`unexpected character '\\' in a quoted name`, { start: p, end: p + 1 });
          const cp = src.codePointAt(p + 1)!;
          value += String.fromCodePoint(cp);
          p += cp > 0xffff ? 3 : 2;
          continue;
        }
        value += d;
        p++;
      }
      toks.push({ kind: c === '`' ? 'NAMED' : 'ID', text: value, start: pos, end: p + 1, quoted: true });
      pos = p + 1;
      continue;
    }
    const two = src.slice(pos, pos + 2);
    const op = /^(==?|<=|>=|!=|<|>|~)/.exec(src.slice(pos, pos + 2));
    if (op) {
      toks.push({ kind: 'FILTER_OP', text: op[0], start: pos, end: pos + op[0].length });
      pos += op[0].length;
      continue;
    }
    if (two === '..') {
      toks.push({ kind: 'DOUBLEDOT', text: '..', start: pos, end: pos + 2 });
      pos += 2;
      continue;
    }
    if (LITERALS.has(c)) {
      toks.push({ kind: 'CHAR', text: c, start: pos, end: pos + 1 });
      pos++;
      continue;
    }
    throw new JsonPathError(`unexpected character ${JSON.stringify(String.fromCodePoint(src.codePointAt(pos)!))}`, { start: pos, end: pos + 1 });
  }
  toks.push({ kind: 'EOF', text: '', start: src.length, end: src.length });
  return toks;
}

const BINARY_BP: Record<string, number> = { '+': 10, '-': 10, '*': 20, '/': 20, '..': 40, '.': 50, '|': 60, '&': 70, where: 80 };
const POSTFIX_BP = 90;

const SPLIT_RE = new RegExp(`^split\\(([^\\n]),[${PY_SPACE}]+(\\p{Nd}+),[${PY_SPACE}]+(\\p{Nd}+|-1)\\)`, 'u');
const SUB_RE = /^sub\(\/([^\n]*)\/,[\s]+([^\n]*)\)/u;
const PY_STRIP = new RegExp(`^[${PY_SPACE}]+|[${PY_SPACE}]+$`, 'gu');

type Item = { kind: 'path'; path: JsonPath } | { kind: 'num'; operand: Operand; start: number; end: number };

/** Parse a JSONPath string. Throws JsonPathError with the offending span. */
export function parseJsonPath(src: string): JsonPath {
  const toks = tokenize(src);
  let i = 0;
  const peek = (): Token => toks[i]!;
  const next = (): Token => toks[i++]!;
  const isChar = (t: Token, c: string): boolean => t.kind === 'CHAR' && t.text === c;
  const fail = (t: Token, what?: string): never => {
    if (t.kind === 'EOF') throw new JsonPathError(what ?? 'unexpected end of path', { start: src.length, end: src.length });
    throw new JsonPathError(what ?? `unexpected ${describe(t)}`, { start: t.start, end: t.end });
  };
  const expectChar = (c: string): Token => {
    const t = next();
    if (!isChar(t, c)) fail(t, `expected '${c}' but found ${describe(t)}`);
    return t;
  };
  const span = (start: number, end: number): PathSpan => ({ start, end });

  const toInt = (t: Token): number => {
    const v = pyInt(t.text);
    return typeof v === 'bigint' ? Number(v) : v;
  };

  const parseFieldsAfter = (first: Token): { names: string[]; end: number } => {
    const names = [first.text];
    let end = first.end;
    while (isChar(peek(), ',')) {
      next();
      const t = next();
      if (t.kind !== 'ID') fail(t, `expected a field name after ',' but found ${describe(t)}`);
      names.push(t.text);
      end = t.end;
    }
    return { names, end };
  };

  const namedOperator = (t: Token): JsonPath => {
    const s = span(t.start, t.end);
    const name = t.text;
    if (name === 'this') return { kind: 'this', span: s };
    if (name === 'parent') return { kind: 'parent', span: s };
    if (name === 'len') return { kind: 'len', span: s };
    if (name === 'sorted') return { kind: 'sorted', keys: null, span: s };
    if (name.startsWith('split(')) {
      const m = SPLIT_RE.exec(name);
      if (!m) fail(t, `${name} is not valid: split() takes exactly one separator character, a segment and a max split, written "split(., 0, -1)" (comma and at least one space)`);
      return { kind: 'split', sep: m![1]!, segment: Number(pyInt(m![2]!)), maxSplit: Number(pyInt(m![3]!)), span: s };
    }
    if (name.startsWith('sub(')) {
      const m = SUB_RE.exec(name);
      if (!m) fail(t, `${name} is not valid: write "sub(/regex/, replacement)"`);
      const pattern = m![1]!.replace(PY_STRIP, '');
      const repl = m![2]!.replace(PY_STRIP, '');
      try {
        return { kind: 'sub', pattern, repl, jsPattern: translatePyRegex(pattern), jsRepl: translatePyReplacement(repl), span: s };
      } catch (e) {
        if (e instanceof RegexUnsupported) fail(t, `sub(): unsupported regular expression construct: ${e.message}`);
        fail(t, `sub(): invalid regular expression: ${(e as Error).message}`);
      }
    }
    return fail(t, `unknown named operator \`${name}\``);
  };

  // Inside '[' ... ']' after a path (or standalone).
  const parseBracket = (open: Token, left: JsonPath | null): JsonPath => {
    const t = peek();
    let node: JsonPath;
    if (isChar(t, '?')) {
      next();
      node = { kind: 'filter', exprs: parseExpressions(), span: span(t.start, t.end) };
      if (!left) fail(t, 'a filter [?...] must follow a path');
    } else if (t.kind === 'SORT') {
      const keys: SortKey[] = [];
      while (peek().kind === 'SORT') {
        const dir = next();
        keys.push({ path: parseExpr(0), descending: dir.text !== '/' });
      }
      node = { kind: 'sorted', keys, span: span(t.start, t.end) };
      if (!left) fail(t, 'a sort [/field] must follow a path');
    } else if (t.kind === 'NUMBER' && isChar(toks[i + 1]!, ']')) {
      next();
      node = { kind: 'index', index: toInt(t), span: span(t.start, t.end) };
    } else if (isChar(t, '*') && isChar(toks[i + 1]!, ']')) {
      next();
      node = { kind: 'slice', start: null, end: null, span: span(t.start, t.end) };
    } else if (t.kind === 'ID') {
      next();
      const f = parseFieldsAfter(t);
      node = { kind: 'fields', names: f.names, span: span(t.start, f.end) };
    } else {
      // slice: maybe_int ':' maybe_int
      let start: number | null = null;
      let end: number | null = null;
      if (peek().kind === 'NUMBER') start = toInt(next());
      if (!isChar(peek(), ':')) fail(peek(), `expected an index, a slice, a field name, '?' or a sort inside '[' but found ${describe(peek())}`);
      next();
      if (peek().kind === 'NUMBER') end = toInt(next());
      node = { kind: 'slice', start, end, span: span(t.start, peek().start) };
    }
    const close = expectChar(']');
    if (!left) return node;
    return { kind: 'child', left, right: node, span: span(left.span.start, close.end) };
  };

  const parseFilterValue = (): FilterValue => {
    const t = next();
    switch (t.kind) {
      case 'ID':
        return { kind: 'str', value: t.text };
      case 'NUMBER': {
        return { kind: 'int', value: pyInt(t.text) };
      }
      case 'FLOAT':
        return { kind: 'float', value: Number(t.text) };
      case 'BOOL':
        return { kind: 'bool', value: t.text === 'true' };
      default:
        return fail(t, `expected a value after the comparison operator but found ${describe(t)}`);
    }
  };

  const parseExpressions = (): FilterExpr[] => {
    let exprs: FilterExpr[];
    if (isChar(peek(), '(')) {
      next();
      exprs = parseExpressions();
      expectChar(')');
    } else {
      const target = parseExpr(0);
      let op: FilterExpr['op'] = null;
      let value: FilterValue | null = null;
      let regex: string | undefined;
      if (peek().kind === 'FILTER_OP') {
        const opTok = next();
        op = opTok.text as FilterExpr['op'];
        value = parseFilterValue();
        if (op === '~') {
          if (value.kind !== 'str') fail(opTok, "the '~' operator needs a string pattern");
          try {
            regex = translatePyRegex((value as { value: string }).value);
          } catch (e) {
            fail(opTok, `'~': unsupported regular expression: ${(e as Error).message}`);
          }
        }
      }
      exprs = [regex === undefined ? { target, op, value } : { target, op, value, regex }];
    }
    while (isChar(peek(), '&')) {
      next();
      exprs = exprs.concat(parseExpressions());
    }
    return exprs;
  };

  const nud = (): Item => {
    const t = next();
    switch (t.kind) {
      case 'ID': {
        const f = parseFieldsAfter(t);
        return { kind: 'path', path: { kind: 'fields', names: f.names, span: span(t.start, f.end) } };
      }
      case 'NAMED':
        return { kind: 'path', path: namedOperator(t) };
      case 'NUMBER':
        return { kind: 'num', operand: { kind: 'int', value: pyInt(t.text) }, start: t.start, end: t.end };
      case 'FLOAT':
        return { kind: 'num', operand: { kind: 'float', value: Number(t.text) }, start: t.start, end: t.end };
      case 'CHAR':
        switch (t.text) {
          case '*':
            return { kind: 'path', path: { kind: 'fields', names: ['*'], span: span(t.start, t.end) } };
          case '$':
            return { kind: 'path', path: { kind: 'root', span: span(t.start, t.end) } };
          case '@':
            return { kind: 'path', path: { kind: 'this', span: span(t.start, t.end) } };
          case '[':
            return { kind: 'path', path: parseBracket(t, null) };
          case '(': {
            const inner = parseExpr(0);
            expectChar(')');
            return { kind: 'path', path: inner };
          }
        }
    }
    return fail(t);
  };

  const asOperand = (it: Item): Operand => {
    if (it.kind === 'num') return it.operand;
    // jsonpath-rw-ext prefers a string to a one-name field on either side of an operator.
    if (it.path.kind === 'fields' && it.path.names.length === 1) return { kind: 'str', value: it.path.names[0]! };
    return { kind: 'path', path: it.path };
  };
  const itemStart = (it: Item): number => (it.kind === 'num' ? it.start : it.path.span.start);
  const itemEnd = (it: Item): number => (it.kind === 'num' ? it.end : it.path.span.end);

  function binaryOp(t: Token): string | null {
    if (t.kind === 'DOUBLEDOT') return '..';
    if (t.kind === 'WHERE') return 'where';
    if (t.kind === 'CHAR' && (t.text === '.' || t.text === '|' || t.text === '&' || t.text === '+' || t.text === '-' || t.text === '*')) return t.text;
    return null;
  }

  function parseItem(minBp: number): Item {
    let left = nud();
    for (;;) {
      const t = peek();
      if (isChar(t, '[') && left.kind === 'path' && POSTFIX_BP > minBp) {
        next();
        left = { kind: 'path', path: parseBracket(t, left.path) };
        continue;
      }
      const op = binaryOp(t);
      if (op === null) break;
      const bp = BINARY_BP[op]!;
      if (bp <= minBp) break;
      next();
      const arithmetic = op === '+' || op === '-' || op === '*';
      if (!arithmetic && left.kind === 'num') fail(t, `a number cannot be followed by '${op}'`);
      const right = parseItem(bp);
      if (arithmetic) {
        left = {
          kind: 'path',
          path: { kind: 'operation', left: asOperand(left), op: op as '+' | '-' | '*', right: asOperand(right), span: span(itemStart(left), itemEnd(right)) },
        };
        continue;
      }
      if (right.kind === 'num') fail(t, `a number cannot follow '${op}'`);
      const kind = op === '.' ? 'child' : op === '..' ? 'descendants' : op === '|' ? 'union' : op === '&' ? 'intersect' : 'where';
      const l = (left as { path: JsonPath }).path;
      const r = (right as { path: JsonPath }).path;
      left = { kind: 'path', path: { kind, left: l, right: r, span: span(l.span.start, r.span.end) } };
    }
    return left;
  }

  function parseExpr(minBp: number): JsonPath {
    const it = parseItem(minBp);
    if (it.kind === 'num') fail(peek(), `a number must be part of an arithmetic expression`);
    return (it as { path: JsonPath }).path;
  }

  if (peek().kind === 'EOF') fail(peek(), 'empty path');
  const result = parseExpr(0);
  if (peek().kind !== 'EOF') fail(peek());
  return result;
}

function describe(t: Token): string {
  switch (t.kind) {
    case 'EOF':
      return 'end of path';
    case 'ID':
      return `name ${JSON.stringify(t.text)}`;
    case 'NAMED':
      return `operator \`${t.text}\``;
    case 'BOOL':
      return `'${t.text}' (true/false are keywords, quote them to use them as a field name)`;
    case 'SORT':
      return `'${t.text}' (a sort direction; '/' is not division)`;
    default:
      return `'${t.text}'`;
  }
}
