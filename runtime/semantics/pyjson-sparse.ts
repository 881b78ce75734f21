// A notification dict built from only the parts its decoder reads (issue 17). JSON.parse checks
// the whole text once; Python data (Maps, exact numbers) is made only for the keys the winning
// definition's traits read, as the compiler listed them. A number JSON.parse read as integral is
// the only value whose Python type it may have lost (`1.0` or `1`, a big int): for those few the
// spelling is looked up in the text along their key path. Every case the full reader would
// answer differently returns undefined (a syntax error, NaN, nesting past the limit, lost key
// order in a read part, an over-long int anywhere): the caller then takes the full exact path,
// so errors keep their exact Python wording.
import { PyFloat, makeFloat, makeInt, type PyDict, type PyValue } from './pyvalue.js';
import { ALWAYS_READ, type MessageReads, type ReadTree } from './reads.js';
import { MAX_INT_DIGITS, checkKey, exactOrUndefined, firstNonSpace, nativeParse, needsExactReader, shallowerThan } from './pyjson-native.js';
import { lexemesAt, memberValues, type Lexeme, type LexemePaths } from './lexemes.js';

/** What the decoder of a notification with this event_type reads; null: everything. */
export type ReadsOf = (eventType: PyValue) => MessageReads | null;

const CONTEXT = '_context_';
const HUGE_INT = new RegExp(`[0-9]{${MAX_INT_DIGITS + 1}}`);

/** The notification dict with only what `readsOf` names, or undefined (take the full path). */
export function parseNotificationSparse(text: string, maxDepth: number, readsOf: ReadsOf): PyDict | undefined {
  if (text.charCodeAt(firstNonSpace(text)) !== 123 || !shallowerThan(text, maxDepth)) return undefined;
  // Python refuses an over-long int anywhere in the text, read or not.
  if (text.length > MAX_INT_DIGITS && HUGE_INT.test(text)) return undefined;
  const parsed = nativeParse(text);
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined;
  return exactOrUndefined(() => new SparseReader(text).message(parsed as Record<string, unknown>, readsOf));
}

type Holder = Map<string, PyValue> | PyValue[];

/** An integral number whose Python value waits for its spelling. */
interface Pending {
  holder: Holder;
  key: string | number;
  parsed: number;
  path: Array<string | number>;
}

class SparseReader {
  private readonly path: Array<string | number> = [];
  private readonly pending: Pending[] = [];

  constructor(private readonly text: string) {}

  message(o: Record<string, unknown>, readsOf: ReadsOf): PyDict {
    const eventType = o['event_type'];
    const reads = typeof eventType === 'string' ? readsOf(eventType) : null;
    if (reads === null) return needsExactReader();
    const out: PyDict = new Map();
    const { payload, context } = reads;
    if (context === true) {
      // The whole context is read, so its keys keep their order: walk the dict.
      for (const k of Object.keys(o)) {
        checkKey(k);
        if (ALWAYS_READ.has(k) || k.startsWith(CONTEXT)) this.put(out, k, o[k], true);
      }
    } else {
      // Only looked up by key: no order to keep, so fetch what is read and nothing else.
      for (const k of ALWAYS_READ) if (Object.hasOwn(o, k)) this.put(out, k, o[k], true);
      for (const [k, tree] of context) if (Object.hasOwn(o, k)) this.put(out, k, o[k], tree);
    }
    if (payload !== null && Object.hasOwn(o, 'payload')) this.put(out, 'payload', o['payload'], payload);
    if (this.pending.length) this.resolve();
    return out;
  }

  /** Converts `v` (read as far as `tree` says) into holder[key]. */
  private put(holder: Holder, key: string | number, v: unknown, tree: ReadTree): void {
    let x: PyValue;
    if (typeof v === 'number') {
      // Only an integral number may have lost its Python type; a numeric read cannot tell a safe one's.
      if (Number.isInteger(v) && !(tree === 'numeric' && Number.isSafeInteger(v))) {
        this.pending.push({ holder, key, parsed: v, path: [...this.path, key] });
      }
      x = v;
    } else if (v === null || typeof v !== 'object') x = v as PyValue;
    else {
      this.path.push(key);
      x = Array.isArray(v) ? this.list(v) : this.dict(v as Record<string, unknown>, tree);
      this.path.pop();
    }
    if (holder instanceof Map) holder.set(key as string, x);
    else holder[key as number] = x;
  }

  private list(v: unknown[]): PyValue[] {
    const out: PyValue[] = new Array<PyValue>(v.length);
    for (let i = 0; i < v.length; i++) this.put(out, i, v[i], true);
    return out;
  }

  /** A whole dict, or (tree given) only the keys it reads: such a dict is only looked up by key, so its order does not matter. */
  private dict(o: Record<string, unknown>, tree: ReadTree): PyDict {
    const out: PyDict = new Map();
    if (typeof tree !== 'object') {
      for (const k of Object.keys(o)) {
        checkKey(k);
        this.put(out, k, o[k], true);
      }
    } else for (const [k, sub] of tree) if (Object.hasOwn(o, k)) this.put(out, k, o[k], sub);
    return out;
  }

  /**
   * Every pending number gets the Python value its spelling gives. In a text without `\\u`
   * escapes a plain key is found by search: the member read is one of the members so named, so
   * when every one of them holding that number spells it alike (`1`, or `1.0`), that is the
   * answer, whichever object it is in. Otherwise a walk down the number's path finds it.
   */
  private resolve(): void {
    const searchable = !this.text.includes('\\u');
    const wanted: LexemePaths = new Map();
    const walked: Array<[Pending, Lexeme]> = [];
    for (const p of this.pending) {
      const value = searchable && typeof p.key === 'string' ? spelledAlike(memberValues(this.text, p.key), p.parsed) : undefined;
      if (value !== undefined) place(p, value);
      else walked.push([p, slotAt(wanted, p.path)]);
    }
    if (!walked.length) return;
    lexemesAt(this.text, wanted);
    for (const [p, slot] of walked) {
      // The spelling must be the very number JSON.parse read, or the walk went wrong.
      const lexeme = slot.text;
      if (lexeme === undefined || !NUMBER_TOKEN.test(lexeme) || Number(lexeme) !== p.parsed) needsExactReader();
      place(p, pythonNumber(lexeme!));
    }
  }
}

const NUMBER_TOKEN = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?$/;

/** The Python value all number spellings of `parsed` among `values` agree on, or undefined. */
function spelledAlike(values: readonly string[] | undefined, parsed: number): PyValue | undefined {
  let agreed: PyValue | undefined;
  for (const v of values ?? []) {
    if (!NUMBER_TOKEN.test(v) || Number(v) !== parsed) continue;
    const value = pythonNumber(v);
    if (agreed === undefined) agreed = value;
    else if (!sameNumber(agreed, value)) return undefined;
  }
  return agreed;
}

/** Same Python type and value (both come from spellings of one double). */
function sameNumber(a: PyValue, b: PyValue): boolean {
  if (a instanceof PyFloat) return b instanceof PyFloat && Object.is(a.value, b.value);
  return typeof a === typeof b && a === b;
}

function place(p: Pending, value: PyValue): void {
  if (p.holder instanceof Map) p.holder.set(p.key as string, value);
  else p.holder[p.key as number] = value;
}

/** The slot for one path in the tree of wanted paths. */
function slotAt(wanted: LexemePaths, path: ReadonlyArray<string | number>): Lexeme {
  let node = wanted;
  for (let i = 0; i < path.length - 1; i++) {
    let next = node.get(path[i]!);
    if (next === undefined) node.set(path[i]!, (next = new Map()));
    if (!(next instanceof Map)) return needsExactReader();
    node = next;
  }
  const slot: Lexeme = { text: undefined };
  node.set(path[path.length - 1]!, slot);
  return slot;
}

/** A number token's Python value (its digits are within MAX_INT_DIGITS: checked above). */
function pythonNumber(lexeme: string): PyValue {
  for (let i = 0; i < lexeme.length; i++) {
    const c = lexeme.charCodeAt(i);
    if (c === 46 || c === 101 || c === 69) return makeFloat(Number(lexeme));
  }
  const digits = lexeme.charCodeAt(0) === 45 ? lexeme.length - 1 : lexeme.length;
  if (digits <= 15) {
    const n = Number(lexeme);
    return n === 0 ? 0 : n;
  }
  return makeInt(BigInt(lexeme));
}
