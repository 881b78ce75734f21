// AssemblyScript, compiled to WebAssembly by `npm run wasm` (bundle/wasm.ts): one pass over an
// oslo v2 envelope's bytes that reads the JSON text inside its `oslo.message` string without
// unescaping it first (structural characters are the same there; a quote is `\"`, a backslash
// `\\`) and checks it exactly as Python's json.loads (strict) accepts it, recording every value's
// span in a table. JavaScript then makes strings and numbers only for what a decoder reads, from
// their exact spellings. Anything this does not take on (a non-ASCII byte, an envelope escape
// other than `\"` and `\\`, NaN/Infinity, an int over 4,300 digits, nesting past the limit, any
// error) makes it answer a negative number: the caller then reads the body the general way,
// which words errors as Python does.
//
// Node table: 5 i32 per node (kind, start, end, first child, next sibling); positions are byte
// offsets into the body. An object's children are its keys, each key node followed directly by
// its value's node; an array's children are its values. A string's span includes its `\"` quotes.

export const KIND_OBJECT: i32 = 1;
export const KIND_ARRAY: i32 = 2;
export const KIND_STRING: i32 = 3;
/** A string with an escape of its own (JavaScript unescapes it twice with JSON.parse). */
export const KIND_STRING_ESCAPED: i32 = 4;
export const KIND_INT: i32 = 5;
export const KIND_FLOAT: i32 = 6;
export const KIND_TRUE: i32 = 7;
export const KIND_FALSE: i32 = 8;
export const KIND_NULL: i32 = 9;

/** Python refuses to convert ints longer than this (sys.int_info.default_max_str_digits). */
const MAX_INT_DIGITS: i32 = 4300;
const NODE_BYTES: i32 = 20;

const FAIL_INNER: i32 = -2;
const FAIL_DEPTH: i32 = -3;
const FAIL_CAPACITY: i32 = -4;

let text: usize = 0;
let pos: i32 = 0;
let table: usize = 0;
let count: i32 = 0;
let capacity: i32 = 0;
let maxDepth: i32 = 0;
let failure: i32 = 0;

@inline function at(i: i32): i32 {
  return <i32>load<u8>(text + <usize>i);
}

@inline function field(node: i32, f: i32): usize {
  return table + <usize>(node * NODE_BYTES + f * 4);
}

function newNode(kind: i32, start: i32): i32 {
  if (count >= capacity) {
    failure = FAIL_CAPACITY;
    return -1;
  }
  const n = count++;
  store<i32>(field(n, 0), kind);
  store<i32>(field(n, 1), start);
  store<i32>(field(n, 3), -1);
  store<i32>(field(n, 4), -1);
  return n;
}

@inline function fail(code: i32): bool {
  if (failure == 0) failure = code;
  return false;
}

/** Only spaces: a raw tab or newline cannot be in the envelope's string (escaped, it goes the general way). */
@inline function skipSpace(): void {
  let p = pos;
  while (at(p) == 0x20) p++;
  pos = p;
}

@inline function isHex(c: i32): bool {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

const ONES: u64 = 0x0101010101010101;
const HIGHS: u64 = 0x8080808080808080;

/** Whether any of the 8 bytes is a quote, a backslash, below 0x20 or not ASCII. */
@inline function special(v: u64): bool {
  const quote = v ^ 0x2222222222222222;
  const slash = v ^ 0x5c5c5c5c5c5c5c5c;
  return ((((quote - ONES) & ~quote) | ((slash - ONES) & ~slash) | (v - 0x2020202020202020) | v) & HIGHS) != 0;
}

/**
 * At a string's opening `\"`; leaves pos after its closing one. The body is followed by zero
 * bytes, which stop every loop here.
 */
function string(node: i32): bool {
  if (at(pos + 1) != 0x22) return fail(FAIL_INNER);
  let escaped = false;
  let p = text + <usize>pos + 2;
  for (;;) {
    // Eight plain characters at a time.
    while (!special(load<u64>(p))) p += 8;
    const c = <i32>load<u8>(p);
    if (c != 0x5c) {
      if (c < 0x20 || c == 0x22 || c >= 0x80) return fail(FAIL_INNER);
      p++;
      continue;
    }
    const d = <i32>load<u8>(p + 1);
    if (d == 0x22) break; // the closing quote
    if (d != 0x5c) return fail(FAIL_INNER); // another envelope escape: the general way
    // The string's own escape, a backslash and then (itself escaped when a quote or a backslash) one of "\/bfnrtu.
    escaped = true;
    const e = <i32>load<u8>(p + 2);
    if (e == 0x5c) {
      const f = <i32>load<u8>(p + 3);
      if (f != 0x22 && f != 0x5c) return fail(FAIL_INNER);
      p += 4;
    } else if (e == 0x75) {
      if (!(isHex(<i32>load<u8>(p + 3)) && isHex(<i32>load<u8>(p + 4)) && isHex(<i32>load<u8>(p + 5)) && isHex(<i32>load<u8>(p + 6)))) return fail(FAIL_INNER);
      p += 7;
    } else if (e == 0x2f || e == 0x62 || e == 0x66 || e == 0x6e || e == 0x72 || e == 0x74) p += 3;
    else return fail(FAIL_INNER);
  }
  pos = <i32>(p - text) + 2;
  if (escaped) store<i32>(field(node, 0), KIND_STRING_ESCAPED);
  store<i32>(field(node, 2), pos);
  return true;
}

@inline function isDigit(c: i32): bool {
  return c >= 0x30 && c <= 0x39;
}

function number(node: i32): bool {
  if (at(pos) == 0x2d) pos++;
  let c = at(pos);
  const intStart = pos;
  if (c == 0x30) c = at(++pos);
  else if (c >= 0x31 && c <= 0x39) {
    do c = at(++pos);
    while (isDigit(c));
  } else return fail(FAIL_INNER); // NaN, Infinity, a lone minus: the general path decides
  const intDigits = pos - intStart;
  let isFloat = false;
  if (c == 0x2e && isDigit(at(pos + 1))) {
    isFloat = true;
    pos++;
    do c = at(++pos);
    while (isDigit(c));
  }
  if (c == 0x65 || c == 0x45) {
    let p = pos + 1;
    const s = at(p);
    if (s == 0x2b || s == 0x2d) p++;
    if (isDigit(at(p))) {
      isFloat = true;
      do p++;
      while (isDigit(at(p)));
      pos = p;
    }
  }
  if (!isFloat && intDigits > MAX_INT_DIGITS) return fail(FAIL_INNER);
  store<i32>(field(node, 0), isFloat ? KIND_FLOAT : KIND_INT);
  store<i32>(field(node, 2), pos);
  return true;
}

function literal(node: i32, kind: i32, a: i32, b: i32, c: i32, d: i32, e: i32, length: i32): bool {
  if (at(pos + 1) != b || at(pos + 2) != c || at(pos + 3) != d || (length == 5 && at(pos + 4) != e)) return fail(FAIL_INNER);
  if (at(pos) != a) return fail(FAIL_INNER);
  pos += length;
  store<i32>(field(node, 0), kind);
  store<i32>(field(node, 2), pos);
  return true;
}

function value(depth: i32): bool {
  skipSpace();
  const c = at(pos);
  const node = newNode(0, pos);
  if (node < 0) return false;
  if (c == 0x7b || c == 0x5b) return container(node, c == 0x7b, depth + 1);
  if (c == 0x5c) {
    store<i32>(field(node, 0), KIND_STRING);
    return string(node);
  }
  if (c == 0x74) return literal(node, KIND_TRUE, 0x74, 0x72, 0x75, 0x65, 0, 4);
  if (c == 0x66) return literal(node, KIND_FALSE, 0x66, 0x61, 0x6c, 0x73, 0x65, 5);
  if (c == 0x6e) return literal(node, KIND_NULL, 0x6e, 0x75, 0x6c, 0x6c, 0, 4);
  return number(node);
}

function container(node: i32, isObject: bool, level: i32): bool {
  if (level > maxDepth) return fail(FAIL_DEPTH);
  store<i32>(field(node, 0), isObject ? KIND_OBJECT : KIND_ARRAY);
  const close = isObject ? 0x7d : 0x5d;
  pos++;
  skipSpace();
  if (at(pos) == close) {
    pos++;
    store<i32>(field(node, 2), pos);
    return true;
  }
  let previous = -1;
  for (;;) {
    let child: i32;
    if (isObject) {
      skipSpace();
      if (at(pos) != 0x5c) return fail(FAIL_INNER);
      child = newNode(KIND_STRING, pos);
      if (child < 0 || !string(child)) return false;
      skipSpace();
      if (at(pos) != 0x3a) return fail(FAIL_INNER);
      pos++;
      if (!value(level)) return false;
    } else {
      child = count;
      if (!value(level)) return false;
    }
    if (previous < 0) store<i32>(field(node, 3), child);
    else store<i32>(field(previous, 4), child);
    previous = child;
    skipSpace();
    const c = at(pos);
    if (c == 0x2c) {
      pos++;
      continue;
    }
    if (c != close) return fail(FAIL_INNER);
    pos++;
    store<i32>(field(node, 2), pos);
    return true;
  }
}

/**
 * Scans the JSON text in bytes [from, to) of the body at `body` (the envelope string's content,
 * followed in memory by at least 16 zero bytes). Answers the number of nodes written at `nodes`
 * (room for `room` of them), the root being node 0, or a negative number.
 */
export function scan(body: usize, from: i32, to: i32, nodes: usize, room: i32, depthLimit: i32): i32 {
  text = body;
  pos = from;
  table = nodes;
  count = 0;
  capacity = room;
  maxDepth = depthLimit;
  failure = 0;
  skipSpace();
  if (at(pos) != 0x7b) return FAIL_INNER;
  if (!value(0)) return failure == 0 ? FAIL_INNER : failure;
  skipSpace();
  if (pos != to) return FAIL_INNER;
  return count;
}
