// One AMQP (or HTTP-ingested) body -> the notification dict, as oslo's deserialize_msg reads it:
// `compression` header (kombu's zlib stream), v2 envelope or bare v1 dict. Everything that can go
// wrong becomes a reason string (the dead-letter header), never an exception.
import { inflateSync } from 'node:zlib';
import { parsePyJson } from '../semantics/pyjson.js';
import { depthOf, shallowerThan } from '../semantics/pyjson-native.js';
import { versionCompatible } from '../semantics/event.js';
import { pyRepr } from '../semantics/pyrepr.js';
import type { PyDict, PyValue } from '../semantics/pyvalue.js';

export interface WireLimits {
  maxMessageBytes: number;
  maxJsonDepth: number;
}

export type WireResult = { ok: true; message: PyDict; uniqueId: string | null } | { ok: false; reason: string };

/** Deepest [/{ nesting outside strings; stops counting past `limit`. */
export const jsonDepth = depthOf;

export function parseLimited(text: string, limits: WireLimits, what: string): { ok: true; value: PyValue } | { ok: false; reason: string } {
  if (!shallowerThan(text, limits.maxJsonDepth)) return { ok: false, reason: `${what} nests deeper than max_json_depth (${limits.maxJsonDepth})` };
  try {
    return { ok: true, value: parsePyJson(text) };
  } catch (e) {
    return { ok: false, reason: `${what} is not JSON: ${(e as Error).message}` };
  }
}

export function readBody(body: Uint8Array, compression: unknown, limits: WireLimits): WireResult {
  let bytes = body;
  if (compression !== undefined && compression !== null) {
    if (compression !== 'application/x-gzip') return { ok: false, reason: `unsupported compression ${JSON.stringify(String(compression))}` };
    try {
      bytes = inflateSync(body, { maxOutputLength: limits.maxMessageBytes + 1 });
    } catch (e) {
      const tooBig = (e as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE' || /larger than|maxOutputLength/i.test((e as Error).message);
      return { ok: false, reason: tooBig ? `inflated body exceeds max_message_bytes (${limits.maxMessageBytes})` : `compressed body does not inflate: ${(e as Error).message}` };
    }
  }
  if (bytes.length > limits.maxMessageBytes) return { ok: false, reason: `body of ${bytes.length} bytes exceeds max_message_bytes (${limits.maxMessageBytes})` };
  let text: string;
  try {
    text = UTF8.decode(bytes);
  } catch {
    return { ok: false, reason: 'body is not UTF-8' };
  }
  const inner = osloMessageOf(text, limits);
  if (inner !== undefined) return unwrapped(parseLimited(inner, limits, 'oslo.message'));
  const outer = parseLimited(text, limits, 'body');
  return outer.ok ? unwrapNotification(outer.value, limits) : outer;
}

/** A parsed body -> the notification dict: a v2 envelope is checked and unwrapped, a v1 dict kept. */
export function unwrapNotification(value: PyValue, limits: WireLimits): WireResult {
  let msg = value;
  if (msg instanceof Map && msg.has('oslo.message') && msg.has('oslo.version')) {
    const version = msg.get('oslo.version')!;
    let compatible = false;
    try {
      compatible = versionCompatible(version);
    } catch {
      compatible = false;
    }
    if (!compatible) return { ok: false, reason: `unsupported envelope version ${pyRepr(version)} (expected 2.x)` };
    const inner = msg.get('oslo.message');
    if (typeof inner !== 'string') return { ok: false, reason: 'oslo.message is not a string' };
    return unwrapped(parseLimited(inner, limits, 'oslo.message'));
  }
  return unwrapped({ ok: true, value: msg });
}

function unwrapped(parsed: { ok: true; value: PyValue } | { ok: false; reason: string }): WireResult {
  if (!parsed.ok) return parsed;
  const msg = parsed.value;
  if (!(msg instanceof Map)) return { ok: false, reason: 'the notification is not a JSON object' };
  const unique = msg.get('_unique_id');
  return { ok: true, message: msg, uniqueId: typeof unique === 'string' ? unique : null };
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** What oslo's serialize_msg writes around the notification (Python json.dumps defaults). */
const ENVELOPE_HEAD = '{"oslo.version": "2.0", "oslo.message": "';

/**
 * The `oslo.message` string of a body that is exactly oslo's v2 envelope, read with one native
 * string parse; undefined for any other body (the general path then parses and checks it).
 */
function osloMessageOf(text: string, limits: WireLimits): string | undefined {
  if (limits.maxJsonDepth < 1 || !text.startsWith(ENVELOPE_HEAD) || !text.endsWith('"}')) return undefined;
  try {
    // One JSON string literal, or a SyntaxError when the middle is anything else.
    const inner: unknown = JSON.parse(text.slice(ENVELOPE_HEAD.length - 1, -1));
    return typeof inner === 'string' ? inner : undefined;
  } catch {
    return undefined;
  }
}

/** A bounded set of recent ids (insertion order; the oldest forgotten first). */
export class RecentIds {
  private readonly ids = new Set<string>();
  constructor(private readonly size: number) {}
  /** True when `id` was seen recently; remembers it either way. */
  seen(id: string): boolean {
    if (this.ids.has(id)) return true;
    this.ids.add(id);
    if (this.ids.size > this.size) this.ids.delete(this.ids.values().next().value!);
    return false;
  }
}
