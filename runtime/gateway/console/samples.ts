// The sample picker's notifications, made ready to post as the console's user: every value equal
// to the sample's own user id becomes the console's, and message_id and _unique_id are new (the
// gateway drops a repeated _unique_id as a duplicate). Python-faithful JSON, so 1.0 stays a float.
import { randomUUID } from 'node:crypto';
import { dumpPyJson, parsePyJson } from '../../semantics/pyjson.js';
import type { PyValue } from '../../semantics/pyvalue.js';

export interface ConsoleSample {
  name: string;
  eventType: string;
  user: string;
  source: string;
  /** The notification as it was captured (oslo envelope or bare). */
  body: string;
}

function replaceUser(v: PyValue, from: string, to: string): PyValue {
  if (v === from) return to;
  if (Array.isArray(v)) return v.map((x) => replaceUser(x, from, to));
  if (v instanceof Map) return new Map([...v].map(([k, x]) => [k, replaceUser(x, from, to)]));
  return v;
}

function renewed(message: PyValue, from: string, to: string): PyValue {
  const m = replaceUser(message, from, to);
  if (m instanceof Map) {
    if (m.has('message_id')) m.set('message_id', randomUUID());
    if (m.has('_unique_id')) m.set('_unique_id', randomUUID().replace(/-/g, ''));
  }
  return m;
}

/** The sample's notification addressed to `user`, with fresh ids. */
export function sampleFor(sample: ConsoleSample, user: string): string {
  const outer = parsePyJson(sample.body);
  const inner = outer instanceof Map ? outer.get('oslo.message') : undefined;
  if (outer instanceof Map && typeof inner === 'string') {
    const copy = new Map(outer);
    copy.set('oslo.message', dumpPyJson(renewed(parsePyJson(inner), sample.user, user)));
    return dumpPyJson(copy);
  }
  return dumpPyJson(renewed(outer, sample.user, user));
}
