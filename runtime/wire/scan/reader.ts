// An oslo v2 envelope's bytes -> the notification dict, through the WebAssembly scanner
// (assembly/oslo-scan.ts): it checks the whole JSON text inside `oslo.message` in one pass,
// without unescaping it first, leaving a table of value spans; only what the winning definition reads (the compiler's
// read trees) becomes Python data, each value from its exact spelling (an int stays an int, `1.0`
// a float). Whatever the scanner does not take on answers undefined, and the caller reads the
// body the general way.
import { OSLO_SCAN_WASM } from './oslo-scan.wasm.js';
import { makeFloat, makeInt, type PyDict, type PyValue } from '../../semantics/pyvalue.js';
import { ALWAYS_READ, type MessageReads, type ReadTree, type ReadsOf } from '../../semantics/reads.js';

/** What oslo's serialize_msg writes around the notification (Python json.dumps defaults). */
const HEAD = Buffer.from('{"oslo.version": "2.0", "oslo.message": "');
const TAIL_QUOTE = 0x22;
const TAIL_BRACE = 0x7d;

/** Bodies past this go the general way, so the scanner's memory stays small. */
const MAX_SCANNED_BYTES = 256 * 1024;
/** The scanner's buffers start past its own static data. */
const BASE = 65536;
const NODE_INTS = 5;
const PAGE = 65536;

/** The few WebAssembly types used here (this project's TypeScript libs do not declare them). */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmGlobal {
  readonly value: unknown;
}
const { Module, Instance } = (globalThis as unknown as { WebAssembly: { Module: new (bytes: Uint8Array) => object; Instance: new (module: object, imports: object) => { exports: Record<string, unknown> } } }).WebAssembly;

interface Scanner {
  memory: WasmMemory;
  scan(body: number, from: number, to: number, nodes: number, room: number, depthLimit: number): number;
  kinds: Kinds;
}

interface Kinds {
  object: number;
  array: number;
  string: number;
  escaped: number;
  int: number;
  float: number;
  true: number;
  false: number;
  null: number;
}

function instantiate(): Scanner {
  const e = new Instance(new Module(Buffer.from(OSLO_SCAN_WASM, 'base64')), {}).exports;
  const g = (name: string): number => (e[name] as WasmGlobal).value as number;
  return {
    memory: e['memory'] as WasmMemory,
    scan: e['scan'] as Scanner['scan'],
    kinds: { object: g('KIND_OBJECT'), array: g('KIND_ARRAY'), string: g('KIND_STRING'), escaped: g('KIND_STRING_ESCAPED'), int: g('KIND_INT'), float: g('KIND_FLOAT'), true: g('KIND_TRUE'), false: g('KIND_FALSE'), null: g('KIND_NULL') },
  };
}

interface Entry {
  codes: Uint8Array;
  key: string;
  tree: ReadTree;
}

/** A tree's keys by byte length, so a member's key is compared in place, without making a string. */
type Lookup = Array<Entry[] | undefined>;

function lookupOf(tree: ReadonlyMap<string, ReadTree>): Lookup {
  const byLength: Lookup = [];
  for (const [key, sub] of tree) {
    // Only ASCII keys can appear unescaped in the (ASCII) text; others come as escaped members.
    if (!/^[\x20-\x7e]*$/.test(key) || key.includes('"') || key.includes('\\')) continue;
    (byLength[key.length] ??= []).push({ codes: Buffer.from(key, 'latin1'), key, tree: sub });
  }
  return byLength;
}

const EVENT_TYPE_CODES = Buffer.from('event_type', 'latin1');
const CONTEXT = '_context_';

/** The buffers of one envelope read: the body, the unescaped text, the node table. */
class Read {
  readonly buffer: ArrayBuffer;
  readonly u8: Uint8Array;
  private readonly i32: Int32Array;
  private readonly bytes: Buffer;
  nodes = 0;

  constructor(
    memory: WasmMemory,
    private readonly kinds: Kinds,
    private readonly lookups: WeakMap<object, Lookup>,
  ) {
    this.buffer = memory.buffer;
    this.u8 = new Uint8Array(this.buffer);
    this.i32 = new Int32Array(this.buffer);
    this.bytes = Buffer.from(this.buffer);
  }

  private kind(n: number): number {
    return this.i32[(this.nodes >> 2) + n * NODE_INTS]!;
  }
  private start(n: number): number {
    return BASE + this.i32[(this.nodes >> 2) + n * NODE_INTS + 1]!;
  }
  private end(n: number): number {
    return BASE + this.i32[(this.nodes >> 2) + n * NODE_INTS + 2]!;
  }
  private first(n: number): number {
    return this.i32[(this.nodes >> 2) + n * NODE_INTS + 3]!;
  }
  private next(n: number): number {
    return this.i32[(this.nodes >> 2) + n * NODE_INTS + 4]!;
  }

  private text(from: number, to: number): string {
    return this.bytes.latin1Slice(from, to);
  }

  /** A string node's value: its bytes between the `\\"` quotes, or (with escapes of its own) unescaped twice, as oslo then json did. */
  string(n: number): string {
    if (this.kind(n) === this.kinds.string) return this.text(this.start(n) + 2, this.end(n) - 2);
    return JSON.parse(JSON.parse(`"${this.text(this.start(n), this.end(n))}"`) as string) as string;
  }

  /** A value node as Python data, all of it. */
  whole(n: number): PyValue {
    const k = this.kind(n);
    const { kinds } = this;
    if (k === kinds.string || k === kinds.escaped) return this.string(n);
    if (k === kinds.object) {
      const m: PyDict = new Map();
      for (let key = this.first(n); key >= 0; key = this.next(key)) m.set(this.string(key), this.whole(key + 1));
      return m;
    }
    if (k === kinds.array) {
      const a: PyValue[] = [];
      for (let v = this.first(n); v >= 0; v = this.next(v)) a.push(this.whole(v));
      return a;
    }
    if (k === kinds.int) {
      const lexeme = this.text(this.start(n), this.end(n));
      const digits = lexeme.charCodeAt(0) === 45 ? lexeme.length - 1 : lexeme.length;
      if (digits > 15) return makeInt(BigInt(lexeme));
      const x = Number(lexeme);
      return x === 0 ? 0 : x; // -0 is the int 0
    }
    if (k === kinds.float) return makeFloat(Number(this.text(this.start(n), this.end(n))));
    return k === kinds.true ? true : k === kinds.false ? false : null;
  }

  /** A value as far as `tree` reads it. */
  value(n: number, tree: ReadTree): PyValue {
    if (tree === true || this.kind(n) !== this.kinds.object) return this.whole(n);
    return this.members(n, tree, this.lookup(tree), new Map());
  }

  /** Into `out`, each member of object `n` whose key `tree` names, as far as it reads it (a repeated key: the last wins, as in a dict). */
  members(n: number, tree: ReadonlyMap<string, ReadTree>, lookup: Lookup, out: PyDict): PyDict {
    const i32 = this.i32;
    const table = this.nodes >> 2;
    const escaped = this.kinds.escaped;
    for (let key = i32[table + n * NODE_INTS + 3]!; key >= 0; ) {
      const at = table + key * NODE_INTS;
      if (i32[at] === escaped) {
        const name = this.string(key);
        const sub = tree.get(name);
        if (sub !== undefined) out.set(name, this.value(key + 1, sub));
      } else {
        const from = BASE + i32[at + 1]! + 2;
        const entries = lookup[BASE + i32[at + 2]! - 2 - from];
        if (entries !== undefined) {
          for (let i = 0; i < entries.length; i++) {
            const e = entries[i]!;
            if (this.same(from, e.codes)) out.set(e.key, this.value(key + 1, e.tree));
          }
        }
      }
      key = i32[at + 4]!;
    }
    return out;
  }

  /** The value node of the root's last member named `event_type`, or -1. */
  private eventTypeNode(): number {
    let value = -1;
    const codes = EVENT_TYPE_CODES;
    for (let key = this.first(0); key >= 0; key = this.next(key)) {
      const from = this.start(key) + 2;
      if (this.kind(key) === this.kinds.escaped ? this.string(key) === 'event_type' : this.end(key) - 2 - from === codes.length && this.same(from, codes)) value = key + 1;
    }
    return value;
  }

  private same(from: number, codes: Uint8Array): boolean {
    for (let i = 0; i < codes.length; i++) if (this.u8[from + i] !== codes[i]) return false;
    return true;
  }

  lookup(tree: ReadonlyMap<string, ReadTree>): Lookup {
    let l = this.lookups.get(tree);
    if (!l) this.lookups.set(tree, (l = lookupOf(tree)));
    return l;
  }

  /** The root's `event_type` string, or undefined when it has none or it is not a string. */
  eventType(): string | undefined {
    const value = this.eventTypeNode();
    const k = value < 0 ? -1 : this.kind(value);
    return k === this.kinds.string || k === this.kinds.escaped ? this.string(value) : undefined;
  }

  /** The notification dict with the keys every notification keeps and what `reads` names. */
  message(reads: MessageReads, top: ReadonlyMap<string, ReadTree>): PyDict {
    const out: PyDict = new Map();
    if (reads.context === true) {
      // The whole context is read, in order: every key is looked at.
      for (let key = this.first(0); key >= 0; key = this.next(key)) {
        const name = this.string(key);
        if (ALWAYS_READ.has(name) || name.startsWith(CONTEXT)) out.set(name, this.whole(key + 1));
        else if (name === 'payload' && reads.payload !== null) out.set(name, this.value(key + 1, reads.payload));
      }
      return out;
    }
    return this.members(0, top, this.lookup(top), out);
  }
}

declare global {
  interface Buffer {
    /** Node's own latin1 decoder (what toString('latin1', …) calls), without the dispatch. */
    latin1Slice(start: number, end: number): string;
  }
}

let scanner: Scanner | null = null;
/** Views on the scanner's memory, made again only when the memory grows. */
let reader: Read | null = null;
const lookups = new WeakMap<object, Lookup>();
const topLevels = new WeakMap<MessageReads, ReadonlyMap<string, ReadTree>>();

/** The top-level keys kept for these reads, each with what is read of it. */
function topLevel(reads: MessageReads): ReadonlyMap<string, ReadTree> {
  let top = topLevels.get(reads);
  if (!top) {
    const m = new Map<string, ReadTree>();
    for (const k of ALWAYS_READ) m.set(k, true);
    if (reads.context !== true) for (const [k, tree] of reads.context) m.set(k, tree);
    if (reads.payload !== null) m.set('payload', reads.payload);
    topLevels.set(reads, (top = m));
  }
  return top;
}

/**
 * The notification dict of a body that is exactly oslo's v2 envelope, read as far as its
 * decoder reads it; undefined for any body the scanner does not take on.
 */
export function scanEnvelope(body: Uint8Array, maxDepth: number, readsOf: ReadsOf): PyDict | undefined {
  const len = body.length;
  if (len > MAX_SCANNED_BYTES || len < HEAD.length + 2 || maxDepth < 1) return undefined;
  if (body[len - 1] !== TAIL_BRACE || body[len - 2] !== TAIL_QUOTE || Buffer.compare(HEAD, body.subarray(0, HEAD.length)) !== 0) return undefined;
  const s = (scanner ??= instantiate());
  // The body, 16 zero bytes (the scanner reads 8 at a time), then the node table.
  const room = (len >> 1) + 4;
  const nodes = BASE + ((len + 16 + 7) & ~7);
  const needed = nodes + room * NODE_INTS * 4;
  const have = s.memory.buffer.byteLength;
  if (needed > have) s.memory.grow(Math.ceil((needed - have) / PAGE));
  const read = reader?.buffer === s.memory.buffer ? reader : (reader = new Read(s.memory, s.kinds, lookups));
  read.u8.set(body, BASE);
  read.u8.fill(0, BASE + len, BASE + len + 16);
  const count = s.scan(BASE, HEAD.length, len - 2, nodes, room, maxDepth);
  if (count <= 0) return undefined;
  read.nodes = nodes;
  const eventType = read.eventType();
  const reads = eventType === undefined ? null : readsOf(eventType);
  if (reads === null) return undefined;
  return read.message(reads, topLevel(reads));
}
