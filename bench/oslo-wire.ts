// Broker bodies built from the corpus as oslo.messaging builds them (wire.md §1): the
// converter's five-key lines packed back into a notification dict, `json.dumps` defaults
// (", " / ": " separators, ensure_ascii, insertion order), wrapped in the 2.0 envelope.
import { parsePyJsonExactly } from '../runtime/semantics/pyjson.js';
import { floatRepr } from '../runtime/semantics/pyrepr.js';
import { PyFloat, type PyValue } from '../runtime/semantics/pyvalue.js';

/** Python's json.dumps(v) with its defaults. */
export function pyDumps(v: PyValue): string {
  if (v === null) return 'null';
  if (typeof v === 'string') return pyDumpsString(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof PyFloat) return floatJson(v.value);
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : floatJson(v);
  if (Array.isArray(v)) return '[' + v.map(pyDumps).join(', ') + ']';
  return '{' + [...v].map(([k, x]) => `${pyDumpsString(k)}: ${pyDumps(x)}`).join(', ') + '}';
}

function floatJson(x: number): string {
  return Number.isNaN(x) ? 'NaN' : x === Infinity ? 'Infinity' : x === -Infinity ? '-Infinity' : floatRepr(x);
}

/** A JSON string literal with ensure_ascii (astral characters as surrogate pairs). */
export function pyDumpsString(s: string): string {
  return JSON.stringify(s).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * A corpus line as the notification dict oslo sends: the converter's five-key shape is packed
 * back (`_context_*` keys, message_id and timestamp at the top, priority upper-case).
 */
export function osloNotification(line: string): string {
  const v = parsePyJsonExactly(line);
  if (!(v instanceof Map) || !(v.get('metadata') instanceof Map)) return line;
  const meta = v.get('metadata') as Map<string, PyValue>;
  const given = v.get('priority') ?? 'info';
  const wire = new Map<string, PyValue>([
    ['message_id', meta.get('message_id') ?? null],
    ['publisher_id', v.get('publisher_id') ?? null],
    ['event_type', v.get('event_type') ?? null],
    ['priority', typeof given === 'string' ? given.toUpperCase() : given],
    ['payload', v.get('payload') ?? null],
    ['timestamp', meta.get('timestamp') ?? null],
  ]);
  const ctxt = v.get('ctxt');
  if (ctxt instanceof Map) for (const [k, x] of ctxt) wire.set(`_context_${k}`, x);
  return pyDumps(wire);
}

/** serialize_msg + kombu's json: the body of a messagingv2 notification. */
export function osloEnvelope(notification: string): string {
  return `{"oslo.version": "2.0", "oslo.message": ${pyDumpsString(notification)}}`;
}
