// The spelling of chosen number tokens in a JSON text, found by key path. The text has already
// passed JSON.parse, so this only tokenises valid JSON: it steps into the objects and arrays
// on the wanted paths and skips everything else (strings by indexOf, containers by depth).
// A repeated key is walked every time it occurs, so the last one wins, as in JSON.parse.

/** Where a spelling is written: undefined until the walk meets the token. */
export interface Lexeme {
  text: string | undefined;
}

/** Wanted paths: object keys (strings) and array indexes (numbers) down to a Lexeme slot. */
export type LexemePaths = Map<string | number, LexemePaths | Lexeme>;

/** Fills every slot of `wanted` that the text reaches. */
export function lexemesAt(text: string, wanted: LexemePaths): void {
  walk(text, skipSpace(text, 0), wanted);
}

function skipSpace(s: string, i: number): number {
  for (let c = s.charCodeAt(i); c === 32 || c === 10 || c === 13 || c === 9; c = s.charCodeAt(++i));
  return i;
}

/** Index after the string starting at the quote at `i`. */
function stringEnd(s: string, i: number): number {
  let from = i + 1;
  for (;;) {
    const q = s.indexOf('"', from);
    if (q < 0) return s.length;
    let b = q - 1;
    while (s.charCodeAt(b) === 92) b--;
    if ((q - 1 - b) % 2 === 0) return q + 1; // an even run of backslashes escapes nothing
    from = q + 1;
  }
}

/** Index after the value starting at `i`. */
function skipValue(s: string, i: number): number {
  const c = s.charCodeAt(i);
  if (c === 34) return stringEnd(s, i);
  if (c === 123 || c === 91) {
    let depth = 0;
    for (let j = i; j < s.length; ) {
      const d = s.charCodeAt(j);
      if (d === 34) {
        j = stringEnd(s, j);
        continue;
      }
      if (d === 123 || d === 91) depth++;
      else if ((d === 125 || d === 93) && --depth === 0) return j + 1;
      j++;
    }
    return s.length;
  }
  let j = i;
  for (let d = s.charCodeAt(j); j < s.length && d !== 44 && d !== 125 && d !== 93 && d !== 32 && d !== 10 && d !== 13 && d !== 9; d = s.charCodeAt(++j));
  return j;
}

function walk(s: string, i: number, node: LexemePaths | Lexeme): number {
  if (!(node instanceof Map)) {
    const end = skipValue(s, i);
    node.text = s.slice(i, end);
    return end;
  }
  const c = s.charCodeAt(i);
  if (c !== 123 && c !== 91) return skipValue(s, i);
  const isObject = c === 123;
  const close = isObject ? 125 : 93;
  i = skipSpace(s, i + 1);
  if (s.charCodeAt(i) === close) return i + 1;
  for (let index = 0; ; index++) {
    let key: string | number = index;
    if (isObject) {
      const end = stringEnd(s, i);
      const raw = s.slice(i + 1, end - 1);
      key = raw.includes('\\') ? (JSON.parse(s.slice(i, end)) as string) : raw;
      i = skipSpace(s, skipSpace(s, end) + 1); // past the colon
    }
    const child = node.get(key);
    i = skipSpace(s, child === undefined ? skipValue(s, i) : walk(s, i, child));
    if (s.charCodeAt(i) !== 44) return i + 1;
    i = skipSpace(s, i + 1);
  }
}

/** A key that JSON can spell only one way and that no closing quote can be followed by. */
const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

/**
 * The value spellings of every member named `key` in a text without `\\u` escapes, or undefined
 * when the key is not plain or an occurrence may be escaped. In valid JSON `"key"` followed by
 * a colon is a member name unless its opening quote is escaped (a backslash before it: then this
 * gives up), so these are all the members so named, in whichever objects they are.
 */
export function memberValues(text: string, key: string): string[] | undefined {
  if (!PLAIN_KEY.test(key)) return undefined;
  const needle = `"${key}"`;
  const values: string[] = [];
  for (let at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + needle.length)) {
    const colon = skipSpace(text, at + needle.length);
    if (text.charCodeAt(colon) !== 58) continue;
    if (text.charCodeAt(at - 1) === 92) return undefined;
    const value = skipSpace(text, colon + 1);
    values.push(text.slice(value, skipValue(text, value)));
  }
  return values;
}
