// JSON as Python's json module reads and writes it: ints stay exact, `1.0` stays a float,
// objects become insertion-ordered Maps (so `__proto__` is just a key), NaN/Infinity accepted.
import { PyFloat, PyError, type PyValue, makeFloat, compareStrings } from './pyvalue.js';
import { floatRepr } from './pyrepr.js';
import { MAX_INT_DIGITS, parseViaJsonParse } from './pyjson-native.js';

export { MAX_INT_DIGITS };

/** Python's recursion limit as json.loads meets it. */
export const MAX_DEPTH = 1000;

class JsonSyntaxError extends PyError {
  constructor(message: string, text: string, pos: number) {
    let line = 1;
    let col = 1;
    for (let i = 0; i < pos && i < text.length; i++) {
      if (text.charCodeAt(i) === 10) {
        line++;
        col = 1;
      } else col++;
    }
    super('JSONDecodeError', `${message}: line ${line} column ${col} (char ${pos})`);
  }
}

/** Parse JSON text into Python-faithful values. Throws PyError('JSONDecodeError'| 'ValueError'). */
export function parsePyJson(text: string): PyValue {
  return parseViaJsonParse(text, MAX_DEPTH) ?? parseExactly(text);
}

/** The exact reader alone (the reference the fast path is tested against). */
export function parsePyJsonExactly(text: string): PyValue {
  return parseExactly(text);
}

function parseExactly(text: string): PyValue {
  let pos = 0;
  let depth = 0;
  const n = text.length;

  const fail = (msg: string, at = pos): never => {
    throw new JsonSyntaxError(msg, text, at);
  };
  const skipWs = (): void => {
    while (pos < n) {
      const c = text.charCodeAt(pos);
      if (c === 32 || c === 9 || c === 10 || c === 13) pos++;
      else break;
    }
  };

  const parseString = (): string => {
    // pos is on the opening quote
    pos++;
    let out = '';
    let chunkStart = pos;
    for (;;) {
      if (pos >= n) fail('Unterminated string starting at', chunkStart - 1);
      const c = text.charCodeAt(pos);
      if (c === 34) {
        out += text.slice(chunkStart, pos);
        pos++;
        return out;
      }
      if (c === 92) {
        out += text.slice(chunkStart, pos);
        const e = text[pos + 1];
        switch (e) {
          case '"': out += '"'; break;
          case '\\': out += '\\'; break;
          case '/': out += '/'; break;
          case 'b': out += '\b'; break;
          case 'f': out += '\f'; break;
          case 'n': out += '\n'; break;
          case 'r': out += '\r'; break;
          case 't': out += '\t'; break;
          case 'u': {
            const hex = text.slice(pos + 2, pos + 6);
            if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail('Invalid \\uXXXX escape', pos);
            out += String.fromCharCode(parseInt(hex, 16));
            pos += 4;
            break;
          }
          default:
            fail('Invalid \\escape', pos);
        }
        pos += 2;
        chunkStart = pos;
        continue;
      }
      if (c < 32) fail('Invalid control character at', pos);
      pos++;
    }
  };

  const parseNumber = (): PyValue => {
    const start = pos;
    if (text[pos] === '-') pos++;
    if (text.startsWith('Infinity', pos)) {
      pos += 8;
      return text[start] === '-' ? -Infinity : Infinity;
    }
    const intStart = pos;
    if (text[pos] === '0') pos++;
    else if (text[pos]! >= '1' && text[pos]! <= '9') while (pos < n && text[pos]! >= '0' && text[pos]! <= '9') pos++;
    else fail('Expecting value', start);
    const intEnd = pos;
    let isFloat = false;
    if (text[pos] === '.' && text[pos + 1]! >= '0' && text[pos + 1]! <= '9') {
      isFloat = true;
      pos++;
      while (pos < n && text[pos]! >= '0' && text[pos]! <= '9') pos++;
    }
    if ((text[pos] === 'e' || text[pos] === 'E')) {
      let p = pos + 1;
      if (text[p] === '+' || text[p] === '-') p++;
      if (text[p]! >= '0' && text[p]! <= '9') {
        isFloat = true;
        while (p < n && text[p]! >= '0' && text[p]! <= '9') p++;
        pos = p;
      }
    }
    const lexeme = text.slice(start, pos);
    if (isFloat) return makeFloat(Number(lexeme));
    if (intEnd - intStart > MAX_INT_DIGITS) {
      throw new PyError('ValueError', `Exceeds the limit (${MAX_INT_DIGITS} digits) for integer string conversion`);
    }
    if (intEnd - intStart <= 15) {
      const v = Number(lexeme);
      return v === 0 ? 0 : v; // -0 is the int 0
    }
    const big = BigInt(lexeme);
    return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
  };

  const parseValue = (): PyValue => {
    skipWs();
    const c = text[pos];
    switch (c) {
      case '{': {
        if (++depth > MAX_DEPTH) throw new PyError('RecursionError', 'maximum recursion depth exceeded while decoding a JSON object');
        pos++;
        const obj = new Map<string, PyValue>();
        skipWs();
        if (text[pos] === '}') {
          pos++;
          depth--;
          return obj;
        }
        for (;;) {
          skipWs();
          if (text[pos] !== '"') fail('Expecting property name enclosed in double quotes');
          const key = parseString();
          skipWs();
          if (text[pos] !== ':') fail("Expecting ':' delimiter");
          pos++;
          obj.set(key, parseValue());
          skipWs();
          if (text[pos] === ',') {
            pos++;
            continue;
          }
          if (text[pos] === '}') {
            pos++;
            depth--;
            return obj;
          }
          fail("Expecting ',' delimiter");
        }
      }
      // falls through (unreachable)
      case '[': {
        if (++depth > MAX_DEPTH) throw new PyError('RecursionError', 'maximum recursion depth exceeded while decoding a JSON array');
        pos++;
        const arr: PyValue[] = [];
        skipWs();
        if (text[pos] === ']') {
          pos++;
          depth--;
          return arr;
        }
        for (;;) {
          arr.push(parseValue());
          skipWs();
          if (text[pos] === ',') {
            pos++;
            continue;
          }
          if (text[pos] === ']') {
            pos++;
            depth--;
            return arr;
          }
          fail("Expecting ',' delimiter");
        }
      }
      // falls through (unreachable)
      case '"':
        return parseString();
      case 't':
        if (text.startsWith('true', pos)) {
          pos += 4;
          return true;
        }
        break;
      case 'f':
        if (text.startsWith('false', pos)) {
          pos += 5;
          return false;
        }
        break;
      case 'n':
        if (text.startsWith('null', pos)) {
          pos += 4;
          return null;
        }
        break;
      case 'N':
        if (text.startsWith('NaN', pos)) {
          pos += 3;
          return NaN;
        }
        break;
      case 'I':
        return parseNumber();
      default:
        if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return parseNumber();
    }
    return fail('Expecting value');
  };

  const value = parseValue();
  skipWs();
  if (pos !== n) fail('Extra data');
  return value;
}

function dumpString(s: string): string {
  // json.dumps(ensure_ascii=False): escape only quote, backslash and control characters.
  return JSON.stringify(s);
}

/** `json.dumps(v, sort_keys=True, ensure_ascii=False, separators=(',', ':'))` of Python data. */
export function dumpPyJson(v: PyValue | undefined): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return dumpString(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof PyFloat) return floatJson(v.value);
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : floatJson(v);
  if (Array.isArray(v)) return '[' + v.map(dumpPyJson).join(',') + ']';
  const keys = [...v.keys()].sort(compareStrings);
  return '{' + keys.map((k) => dumpString(k) + ':' + dumpPyJson(v.get(k))).join(',') + '}';
}

function floatJson(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return 'Infinity';
  if (x === -Infinity) return '-Infinity';
  return floatRepr(x);
}

