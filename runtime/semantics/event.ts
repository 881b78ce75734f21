// What decoding produces, the steps shared by the interpreter and the generated decoders
// (input shape, priority, envelope fields, trait conversion), and the output line format.
import { PyError, type PyDict, type PyValue, pyTypeName } from './pyvalue.js';
import { pyInt, pyFloat, pyText } from './pyconvert.js';
import { isoToNaiveUtc } from './isotime.js';
import { dumpPyJson, parsePyJson } from './pyjson.js';
import { floatRepr, pyRepr } from './pyrepr.js';
import type { ReadTree } from './reads.js';

export type TraitType = 'none' | 'text' | 'int' | 'float' | 'datetime';

/** text/none: string; int: number | bigint; float: number; datetime: isoformat() string. */
export type TraitValue = string | number | bigint;

export interface Trait {
  name: string;
  type: TraitType;
  value: TraitValue;
}

export interface DecodedEvent {
  event_type: string;
  message_id: PyValue;
  generated: string;
  traits: Trait[];
  raw?: PyValue;
}

export type DropCode = 'unknown_priority' | 'ignored_priority' | 'no_definition';

export type DecodeResult =
  | { kind: 'event'; event: DecodedEvent }
  /** `code` labels metrics; `reason` is the words. */
  | { kind: 'dropped'; code: DropCode; reason: string }
  | { kind: 'error'; error: string; stage?: string; rule?: string };

const PRIORITIES = ['audit', 'debug', 'info', 'warn', 'error', 'critical', 'sample'];
const EVENT_PRIORITIES = ['info', 'error'];

export interface DecodeOptions {
  dropUnmatched?: boolean;
  /** [event] store_raw: priorities whose events carry the whole body as `raw`. */
  storeRaw?: string[];
  includeRaw?: boolean;
}

/** TraitDefinition.to_trait after the value is chosen: None -> no trait, '' for non-text -> no trait. */
export function makeTrait(name: string, type: TraitType, value: PyValue | undefined): Trait | null {
  if (value === null || value === undefined) return null;
  if (type !== 'text' && value === '') return null;
  switch (type) {
    case 'int':
      return { name, type, value: pyInt(value) };
    case 'float':
      return { name, type, value: pyFloat(value) };
    case 'datetime':
      return { name, type, value: isoToNaiveUtc(value) };
    default:
      return { name, type, value: pyText(value) };
  }
}

/** What ceilometer-agent-notification hands the converter, from any accepted input shape. */
export interface Dispatched {
  priority: PyValue;
  body: PyDict;
}

export function versionCompatible(version: PyValue): boolean {
  if (version === null) return false;
  if (typeof version !== 'string') throw new PyError('AttributeError', `'${pyTypeName(version)}' object has no attribute 'split'`);
  const parts = version.split('.');
  const num = (s: string | undefined): number => {
    const v = pyInt(s ?? '');
    return Number(v);
  };
  if (num(parts[0]) !== 2) return false;
  if (parts.length < 2) throw new PyError('IndexError', 'list index out of range');
  const minor = num(parts[1]);
  if (minor > 0) return false;
  if (minor === 0 && parts.length > 2 && num(parts[2]) > 0) return false;
  return true;
}

/**
 * Rebuild the dispatcher's five-key body: the five-key shape itself (recognised by a
 * `metadata` mapping; a top-level `priority` is taken out, default info), a v1 wire dict, or a
 * v2 envelope (unwrapped like oslo's deserialize_msg, `_context_*` unpacked into ctxt).
 */
export function toDispatched(input: PyValue): Dispatched {
  if (input instanceof Map && input.get('metadata') instanceof Map) {
    const body: PyDict = new Map(input);
    let priority: PyValue = 'info';
    if (body.has('priority')) {
      priority = body.get('priority')!;
      body.delete('priority');
    }
    if (typeof priority === 'string') priority = priority.toLowerCase();
    else if (priority === null) priority = '';
    return { priority, body };
  }
  if (!(input instanceof Map)) throw new PyError('TypeError', `a notification must be a JSON object, not '${pyTypeName(input)}'`);
  let msg: PyValue = input;
  if (input.has('oslo.message') && input.has('oslo.version')) {
    if (!versionCompatible(input.get('oslo.version')!)) {
      throw new PyError('UnsupportedRpcEnvelopeVersion', `Specified RPC envelope version, ${pyRepr(input.get('oslo.version')!)}, not supported by this endpoint.`);
    }
    const inner = input.get('oslo.message')!;
    if (typeof inner !== 'string') throw new PyError('TypeError', `the JSON object must be str, bytes or bytearray, not ${pyTypeName(inner)}`);
    msg = parsePyJson(inner);
  }
  if (!(msg instanceof Map)) throw new PyError('AttributeError', `'${pyTypeName(msg)}' object has no attribute 'keys'`);
  return dispatchMessage(msg);
}

/**
 * The notification dict as the wire delivered it (already out of its envelope: oslo unwraps
 * once) -> the dispatcher's body: `_context_*` unpacked into ctxt, the priority taken out.
 */
export function dispatchMessage(msg: PyDict): Dispatched {
  // amqp.unpack_context: `_context_<k>` -> ctxt[k]; msg_id and reply_q dropped; client_timeout
  // set from `_timeout` (kept in place when present, added last otherwise).
  const ctxt: PyDict = new Map();
  msg.forEach((v, k) => {
    if (k.charCodeAt(0) === 95 && k.startsWith('_context_')) {
      const name = k.slice(9);
      if (name !== 'msg_id' && name !== 'reply_q') ctxt.set(name, v);
    }
  });
  const timeout = msg.get('_timeout');
  ctxt.set('client_timeout', timeout === undefined ? null : timeout);
  const given = msg.get('priority');
  let priority: PyValue = given === undefined ? '' : given;
  if (typeof priority !== 'string') throw new PyError('AttributeError', `'${pyTypeName(priority)}' object has no attribute 'lower'`);
  priority = priority.toLowerCase();
  const metadata: PyDict = new Map();
  metadata.set('message_id', msg.get('message_id') ?? null).set('timestamp', msg.get('timestamp') ?? null);
  const body: PyDict = new Map();
  body
    .set('ctxt', ctxt)
    .set('publisher_id', msg.get('publisher_id') ?? null)
    .set('event_type', msg.get('event_type') ?? null)
    .set('payload', msg.get('payload') ?? null)
    .set('metadata', metadata);
  return { priority, body };
}

/** The decoder-specific half: which definition wins, and its traits. */
export interface DefinitionMatcher<D> {
  /** Winning definition for a string event type, or null. */
  match(eventType: string): D | null;
  /** True when some definition has an include pattern, so fnmatch would see a non-string type. */
  readonly callsFnmatch: boolean;
  traits(def: D, body: PyDict): Trait[];
  /** `file:line:col (label)` of a definition, so a runtime error can name its rule. */
  describe(def: D): string;
  /** What the definition's traits read of the body (compiled decoders know it; absent: everything). */
  reads?(def: D): ReadTree;
}

function required(d: PyDict, key: string): PyValue {
  if (!d.has(key)) throw new PyError('KeyError', pyRepr(key));
  return d.get(key)!;
}

/** NotificationEventsConverter.to_event + EventEndpoint's priority handling and error catching. */
export function decodeDispatched<D>(m: DefinitionMatcher<D>, d: Dispatched, opts: DecodeOptions = {}): DecodeResult {
  const { priority, body } = d;
  let def: D | null = null;
  if (typeof priority !== 'string' || !PRIORITIES.includes(priority)) {
    return { kind: 'dropped', code: 'unknown_priority', reason: `unknown priority ${pyRepr(priority)} (oslo.messaging drops it)` };
  }
  if (!EVENT_PRIORITIES.includes(priority)) {
    return { kind: 'dropped', code: 'ignored_priority', reason: `priority ${pyRepr(priority)}: EventEndpoint consumes and drops it` };
  }
  try {
    const eventType = required(body, 'event_type');
    const metadata = required(body, 'metadata') as PyDict;
    const messageId = required(metadata, 'message_id');
    if (typeof eventType === 'string') def = m.match(eventType);
    else if (m.callsFnmatch) throw new PyError('TypeError', `expected str, bytes or os.PathLike object, not ${pyTypeName(eventType)}`);
    if (def === null) return { kind: 'dropped', code: 'no_definition', reason: 'no matching event definition' };
    const generated = isoToNaiveUtc(required(metadata, 'timestamp'));
    const traits = m.traits(def, body);
    const event: DecodedEvent = { event_type: eventType as string, message_id: messageId, generated, traits };
    if (opts.includeRaw) event.raw = (opts.storeRaw ?? []).map((l) => l.toLowerCase()).includes(priority) ? body : new Map();
    return { kind: 'event', event };
  } catch (e) {
    const rule = def === null ? {} : { rule: m.describe(def) };
    if (e instanceof PyError) return { kind: 'error', error: e.message, ...rule };
    if (e instanceof RangeError) return { kind: 'error', error: `RecursionError: ${e.message}`, ...rule };
    throw e;
  }
}

/** Decode any accepted input value. */
export function decodeInput<D>(m: DefinitionMatcher<D>, input: PyValue, opts: DecodeOptions = {}): DecodeResult {
  let d: Dispatched;
  try {
    d = toDispatched(input);
  } catch (e) {
    if (e instanceof PyError) return { kind: 'error', error: e.message, stage: 'oslo.messaging' };
    throw e;
  }
  return decodeDispatched(m, d, opts);
}

/** Decode a notification dict the wire layer has already unwrapped (see dispatchMessage). */
export function decodeMessage<D>(m: DefinitionMatcher<D>, msg: PyDict, opts: DecodeOptions = {}): DecodeResult {
  let d: Dispatched;
  try {
    d = dispatchMessage(msg);
  } catch (e) {
    if (e instanceof PyError) return { kind: 'error', error: e.message, stage: 'oslo.messaging' };
    throw e;
  }
  return decodeDispatched(m, d, opts);
}

/** Decode one JSON text line. */
export function decodeLine<D>(m: DefinitionMatcher<D>, line: string, opts: DecodeOptions = {}): DecodeResult {
  let input: PyValue;
  try {
    input = parsePyJson(line);
  } catch (e) {
    if (e instanceof PyError) return { kind: 'error', error: `invalid JSON: ${e.message}`, stage: 'json' };
    throw e;
  }
  return decodeInput(m, input, opts);
}

/** A trait's value as the golden files write it: a float keeps its `.0`, non-finite ones are strings. */
export function traitValueJson(t: Trait): string {
  if (t.type === 'float') {
    const x = t.value as number;
    return Number.isNaN(x) ? '"NaN"' : x === Infinity ? '"Infinity"' : x === -Infinity ? '"-Infinity"' : floatRepr(x);
  }
  return typeof t.value === 'string' ? JSON.stringify(t.value) : String(t.value);
}

function traitJson(t: Trait): string {
  return `[${JSON.stringify(t.type)},${traitValueJson(t)}]`;
}

/** The golden-file line: sorted keys, compact separators. */
export function formatResult(r: DecodeResult): string {
  if (r.kind === 'dropped') return `{"dropped":true,"reason":${JSON.stringify(r.reason)}}`;
  if (r.kind === 'error') {
    const rule = r.rule ? `,"rule":${JSON.stringify(r.rule)}` : '';
    return `{"dropped":true,"error":${JSON.stringify(r.error)}${rule}${r.stage ? `,"stage":${JSON.stringify(r.stage)}` : ''}}`;
  }
  const e = r.event;
  const byName = new Map<string, Trait>();
  for (const t of e.traits) byName.set(t.name, t);
  const names = [...byName.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const traits = '{' + names.map((n) => `${JSON.stringify(n)}:${traitJson(byName.get(n)!)}`).join(',') + '}';
  const raw = e.raw === undefined ? '' : `,"raw":${dumpPyJson(e.raw)}`;
  return `{"event_type":${JSON.stringify(e.event_type)},"generated":${JSON.stringify(e.generated)},"message_id":${dumpPyJson(e.message_id)}${raw},"traits":${traits}}`;
}
