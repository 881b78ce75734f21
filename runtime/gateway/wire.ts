// One AMQP (or HTTP-ingested) body -> the notification dict, as oslo's deserialize_msg reads it:
// `compression` header (kombu's zlib stream), v2 envelope or bare v1 dict. Everything that can go
// wrong becomes a coded reason (the dead-letter header and metric label), never an exception.
import { inflateSync } from 'node:zlib';
import { parsePyJson } from '../semantics/pyjson.js';
import { shallowerThan } from '../semantics/pyjson-native.js';
import type { ReadsOf } from '../semantics/reads.js';
import { scanEnvelope } from '../wire/scan/reader.js';
import { versionCompatible } from '../semantics/event.js';
import { pyRepr } from '../semantics/pyrepr.js';
import type { PyDict, PyValue } from '../semantics/pyvalue.js';
import type { Reason, ReasonCode } from '../sources/source.js';

export interface WireLimits {
  maxMessageBytes: number;
  maxJsonDepth: number;
}

export type WireResult = { ok: true; message: PyDict; uniqueId: string | null } | { ok: false; reason: Reason };
type Parsed = { ok: true; value: PyValue } | { ok: false; reason: Reason };

const refused = (code: ReasonCode, message: string): { ok: false; reason: Reason } => ({ ok: false, reason: { code, message } });

export function parseLimited(text: string, limits: WireLimits, what: string): Parsed {
  if (!shallowerThan(text, limits.maxJsonDepth)) return refused('too_deep', `${what} nests deeper than max_json_depth (${limits.maxJsonDepth})`);
  try {
    return { ok: true, value: parsePyJson(text) };
  } catch (e) {
    return refused('not_json', `${what} is not JSON: ${(e as Error).message}`);
  }
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** The bytes as UTF-8 text, or null when they are not UTF-8 (both sources refuse such a body alike). */
function utf8Text(bytes: Uint8Array): string | null {
  try {
    return UTF8.decode(bytes);
  } catch {
    return null;
  }
}

/**
 * `readsOf` (the pipeline's) lets the scanner convert an oslo envelope's notification only as far
 * as its decoder reads it; without it, or for a body the scanner does not take, the whole dict is made.
 */
export function readBody(body: Uint8Array, compression: unknown, limits: WireLimits, readsOf?: ReadsOf): WireResult {
  let bytes = body;
  if (compression !== undefined && compression !== null) {
    if (compression !== 'application/x-gzip') return refused('bad_compression', `unsupported compression ${JSON.stringify(String(compression))}`);
    try {
      bytes = inflateSync(body, { maxOutputLength: limits.maxMessageBytes + 1 });
    } catch (e) {
      const tooBig = (e as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE' || /larger than|maxOutputLength/i.test((e as Error).message);
      return tooBig ? refused('too_big', `inflated body exceeds max_message_bytes (${limits.maxMessageBytes})`) : refused('bad_compression', `compressed body does not inflate: ${(e as Error).message}`);
    }
  }
  if (bytes.length > limits.maxMessageBytes) return refused('too_big', `body of ${bytes.length} bytes exceeds max_message_bytes (${limits.maxMessageBytes})`);
  const scanned = readsOf && scanEnvelope(bytes, limits.maxJsonDepth, readsOf);
  if (scanned) return unwrapped({ ok: true, value: scanned });
  const text = utf8Text(bytes);
  if (text === null) return refused('not_utf8', 'body is not UTF-8');
  const inner = osloMessageOf(text, limits);
  if (inner !== undefined) return unwrapped(parseLimited(inner, limits, 'oslo.message'));
  const outer = parseLimited(text, limits, 'body');
  return outer.ok ? unwrapNotification(outer.value, limits) : outer;
}

/** A parsed body -> the notification dict: a v2 envelope is checked and unwrapped, a v1 dict kept. */
export function unwrapNotification(value: PyValue, limits: WireLimits): WireResult {
  const msg = value;
  if (msg instanceof Map && msg.has('oslo.message') && msg.has('oslo.version')) {
    const version = msg.get('oslo.version')!;
    let compatible = false;
    try {
      compatible = versionCompatible(version);
    } catch {
      compatible = false;
    }
    if (!compatible) return refused('bad_envelope', `unsupported envelope version ${pyRepr(version)} (expected 2.x)`);
    const inner = msg.get('oslo.message');
    if (typeof inner !== 'string') return refused('bad_envelope', 'oslo.message is not a string');
    return unwrapped(parseLimited(inner, limits, 'oslo.message'));
  }
  return unwrapped({ ok: true, value: msg });
}

function unwrapped(parsed: Parsed): WireResult {
  if (!parsed.ok) return parsed;
  const msg = parsed.value;
  if (!(msg instanceof Map)) return refused('bad_envelope', 'the notification is not a JSON object');
  const unique = msg.get('_unique_id');
  return { ok: true, message: msg, uniqueId: typeof unique === 'string' ? unique : null };
}

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

