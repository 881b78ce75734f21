// What the transform stage produces, and the `herald transform` line format (Python's json.dumps
// with default separators, keys in template order).
import { makeFloat, PyFloat, type PyValue } from './pyvalue.js';
import type { DecodeResult, Trait } from './event.js';
import { floatRepr } from './pyrepr.js';

export interface Output {
  event_type: string;
  traits: PyValue;
  /** settings.ini:line:col of the transformer entry that produced it (for logs). */
  rule: string;
}

/** A decoded trait as the UI receives it: int exact, non-finite float null. */
export function traitOutput(t: Trait | undefined): PyValue {
  if (!t) return null;
  if (t.type === 'float') return Number.isFinite(t.value as number) ? makeFloat(t.value as number) : null;
  return t.value;
}

function writer(item: string, key: string): (v: PyValue) => string {
  const dumps = (v: PyValue): string => {
    if (v === null) return 'null';
    if (typeof v === 'string') return JSON.stringify(v);
    if (typeof v === 'boolean') return v ? 'true' : 'false';
    if (typeof v === 'bigint') return v.toString();
    if (v instanceof PyFloat) return Number.isFinite(v.value) ? floatRepr(v.value) : 'null';
    if (typeof v === 'number') return Number.isInteger(v) ? String(v) : Number.isFinite(v) ? floatRepr(v) : 'null';
    if (Array.isArray(v)) return '[' + v.map(dumps).join(item) + ']';
    return '{' + [...v].map(([k, x]) => `${JSON.stringify(k)}${key}${dumps(x)}`).join(item) + '}';
  };
  return dumps;
}

/** Python's json.dumps with default separators, keys in template order. */
const dumps = writer(', ', ': ');
/** The same, compact: what the WebSocket frame carries. */
export const dumpsCompact = writer(',', ':');

export { dumps as dumpsTemplateOrder };

export function formatTransform(messageId: PyValue, decoded: DecodeResult, outputs: Output[]): string {
  const head = `{"message_id": ${dumps(messageId)}, "outputs": [${outputs.map((o) => `{"event_type": ${JSON.stringify(o.event_type)}, "traits": ${dumps(o.traits)}}`).join(', ')}]`;
  if (decoded.kind === 'event') return head + '}';
  return `${head}, "dropped": ${JSON.stringify(decoded.kind === 'dropped' ? decoded.reason : decoded.error)}}`;
}
