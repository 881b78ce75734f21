// Issue 17: the wire reader converts only what the winning definition reads (the compiler's read
// trees). The same notification decoded from broker bytes that way and from the exact reader's
// whole value must give the same event, or the same refusal.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { join } from 'node:path';
import { readBody, type WireLimits } from '../../runtime/gateway/wire.js';
import { parsePyJsonExactly } from '../../runtime/semantics/pyjson.js';
import { decodeInput, decodeMessage, formatResult } from '../../runtime/semantics/event.js';
import { compiledMatcher } from '../../runtime/decode/rt.js';
import { readsOfMatcher } from '../../runtime/semantics/reads.js';
import { rules } from '../../generated/decoders.js';
import { SAMPLES, readLines } from '../helpers.js';
import { FUZZ_CASES, fuzzInput } from '../fuzz/mutate.js';
import { osloEnvelope, osloNotification } from '../../bench/oslo-wire.js';
import { scanEnvelope } from '../../runtime/wire/scan/reader.js';

const LIMITS: WireLimits = { maxMessageBytes: 1 << 22, maxJsonDepth: 64 };
const matcher = compiledMatcher(rules);
const reads = readsOfMatcher(matcher);

/** The exact reader's whole value, then the decoder. */
function exactEvent(text: string): string {
  return formatResult(decodeInput(matcher, parsePyJsonExactly(text)));
}

/** Broker bytes through readBody making the whole dict (wire-differential holds it to the exact reader), then the decoder. */
function wholeOutcome(text: string): string {
  const r = readBody(Buffer.from(osloEnvelope(text)), undefined, LIMITS);
  return r.ok ? formatResult(decodeMessage(matcher, r.message)) : `refused: ${r.reason.message}`;
}

/** Broker bytes through readBody with the decoders' read trees, then the decoder. */
function sparseOutcome(text: string): string {
  const r = readBody(Buffer.from(osloEnvelope(text)), undefined, LIMITS, reads);
  return r.ok ? formatResult(decodeMessage(matcher, r.message)) : `refused: ${r.reason.message}`;
}

const corpus = readLines(join(SAMPLES, 'corpus', 'notifications.jsonl')).map(osloNotification);

describe('sparse wire reading: the same events as the whole value', () => {
  it('all 718 corpus notifications', () => {
    let events = 0;
    for (const text of corpus) {
      const want = exactEvent(text);
      if (want.startsWith('{"event_type"')) events++;
      expect(sparseOutcome(text), text.slice(0, 160)).toBe(want);
    }
    expect(events).toBeGreaterThan(700);
  });

  it('the WebAssembly scanner takes every corpus envelope (the general way is only a fallback)', () => {
    for (const text of corpus) expect(scanEnvelope(Buffer.from(osloEnvelope(text)), 64, reads), text.slice(0, 120)).toBeInstanceOf(Map);
  });

  it('the real captures', () => {
    const texts: string[] = [];
    for (const f of ['captured_oslo_14.0.3', 'captured_unicode']) {
      for (const l of readLines(join(SAMPLES, 'wire', `${f}.jsonl`))) {
        const outer = JSON.parse((JSON.parse(l) as { rawBody: string }).rawBody) as Record<string, unknown>;
        if (typeof outer['oslo.message'] === 'string') texts.push(outer['oslo.message']);
      }
    }
    expect(texts.length).toBeGreaterThan(5);
    for (const text of texts) expect(sparseOutcome(text)).toBe(exactEvent(text));
  });

  it('corpus notifications mutated by the fuzzer (broken JSON, swapped types, deep nesting)', () => {
    fc.assert(
      fc.property(fuzzInput(corpus), (text) => {
        expect(sparseOutcome(text)).toBe(wholeOutcome(text));
      }),
      { numRuns: Math.max(1000, FUZZ_CASES), seed: 1717 },
    );
  });
});

/** Spellings of the same double that Python tells apart. */
const number = fc.constantFrom('1', '1.0', '1e0', '1.00', '-0', '-0.0', '0', '512', '512.0', '5.12e2', '9007199254740993', '9007199254740992', '1e16', '10000000000000001', '1.5', '2', '"2"', 'null', 'true', '[1, 1.0]', '{"a": 1.0}');
/** Keys the definitions read (`payload.memory_mb` as an int trait, `instance_type_id` as text, `size`…), and look-alikes. */
const readKey = fc.constantFrom('memory_mb', 'instance_type_id', 'size', 'vcpus', 'display_name', 'state', 'tenant_id', 'user_id', 'launched_at', 'image_meta', 'volume_id', 'status');
const otherKey = fc.constantFrom('x', 'nested', '0', '7', '__proto__', 'constructor', 'memory\\u005fmb', 'instance\\u005ftype_id', 'a\\"instance_type_id', 'instance_type_id ');
const eventType = fc.constantFrom('compute.instance.update', 'compute.instance.create.end', 'volume.create.end', 'snapshot.create.end', 'dns.domain.create', 'image.update', 'port.create.end', 'unknown.event', 'identity.user.created');

const member = fc.tuple(fc.oneof(readKey, otherKey), fc.oneof(number, fc.constantFrom('{"instance_type_id": 2.0, "size": 1}', '{"org.openstack__1__architecture": 1.0}')));
const object = fc.array(member, { maxLength: 8 }).map((ms) => `{${ms.map(([k, v]) => `"${k}": ${v}`).join(', ')}}`);

/** An oslo notification dict whose payload and context put the traps where the decoders read. */
const notification = fc
  .record({
    eventType,
    payload: object,
    extra: object,
    context: fc.array(fc.tuple(fc.constantFrom('request_id', 'project_id', 'user_id', 'tenant_id', '7'), number), { maxLength: 3 }),
    duplicate: fc.option(object),
    priority: fc.constantFrom('"INFO"', '"error"', '"debug"', '1'),
  })
  .map(({ eventType: t, payload, extra, context, duplicate, priority }) => {
    const parts = [
      `"message_id": "m-1"`,
      `"publisher_id": "compute.host-1"`,
      `"event_type": "${t}"`,
      `"priority": ${priority}`,
      `"payload": ${payload}`,
      `"extra": ${extra}`,
      `"timestamp": "2024-01-02 03:04:05.678901"`,
      ...context.map(([k, v]) => `"_context_${k}": ${v}`),
    ];
    if (duplicate !== null) parts.push(`"payload": ${duplicate}`);
    return `{${parts.join(', ')}}`;
  });

describe('sparse wire reading: generated traps', () => {
  it('int/float spellings, big ints, duplicate and escaped keys, look-alike keys in nested objects', () => {
    let events = 0;
    fc.assert(
      fc.property(notification, (text) => {
        const want = wholeOutcome(text);
        if (want.startsWith('{"event_type"')) {
          events++;
          expect(exactEvent(text)).toBe(want);
        }
        expect(sparseOutcome(text), text).toBe(want);
      }),
      { numRuns: Math.max(3000, FUZZ_CASES), seed: 1718 },
    );
    expect(events).toBeGreaterThan(500);
  });
});

/** JSON-ish text, valid or not: every token the scanner must accept or refuse as Python's json does. */
const token = fc.constantFrom('1', '-0', '1.0', '1e5', '1E+2', '-1.5e-3', '01', '1.', '.5', '-', '+1', '1e', 'NaN', 'Infinity', '-Infinity', 'true', 'false', 'null', 'tru', 'nul', '"a"', '""', '"\\n"', '"\\u00e9"', '"\\u00"', '"\\x"', '"\\/"', '"a\tb"', '"\u00e9"', '"\u0001"', "'a'", '[]', '{}', '[1,]', '[,1]', '{"a":}', '{"a" 1}', '{1: 2}', '[1 2]', ' ', '\n');
const jsonish: fc.Arbitrary<string> = fc.letrec<{ v: string }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small' },
    token,
    fc.array(tie('v'), { maxLength: 4 }).map((xs) => `[${xs.join(', ')}]`),
    fc.array(fc.tuple(fc.constantFrom('a', 'tenant_id', 'memory_mb', 'x\\"y', 'k\\u00e9'), tie('v')), { maxLength: 4 }).map((kv) => `{${kv.map(([k, v]) => `"${k}": ${v}`).join(', ')}}`),
    fc.tuple(tie('v'), fc.constantFrom('', ' ', ',', ']', '}', '"', '\\', 'x')).map(([v, junk]) => v + junk),
  ),
})).v;

describe('the scanner accepts exactly what Python accepts', () => {
  it('payloads of valid and broken JSON: the same event or the same refusal as the whole reading', () => {
    let refused = 0;
    let events = 0;
    fc.assert(
      fc.property(jsonish, fc.constantFrom('compute.instance.update', 'volume.create.end', 'x.y'), (payload, t) => {
        const text = `{"event_type": "${t}", "priority": "INFO", "message_id": "m", "timestamp": "2024-01-02 03:04:05", "payload": ${payload}, "_context_request_id": ${payload}}`;
        const want = wholeOutcome(text);
        if (want.startsWith('refused')) refused++;
        else events++;
        expect(sparseOutcome(text), text).toBe(want);
      }),
      { numRuns: Math.max(5000, FUZZ_CASES), seed: 1719 },
    );
    expect(refused).toBeGreaterThan(500);
    expect(events).toBeGreaterThan(500);
  });
});

describe('envelope bytes no oslo writer makes', () => {
  /** The whole and the scanned reading of raw body bytes agree. */
  const agree = (body: Buffer): void => {
    const outcome = (r: ReturnType<typeof readBody>): string => (r.ok ? formatResult(decodeMessage(matcher, r.message)) : `refused: ${r.reason.code} ${r.reason.message}`);
    expect(outcome(readBody(body, undefined, LIMITS, reads)), body.toString('latin1')).toBe(outcome(readBody(body, undefined, LIMITS)));
  };
  const head = '{"oslo.version": "2.0", "oslo.message": "';
  const inner = (middle: string) => `{\\"event_type\\": \\"compute.instance.update\\", \\"priority\\": \\"INFO\\", \\"message_id\\": \\"m\\", \\"timestamp\\": \\"2024-01-02 03:04:05\\", \\"payload\\": {\\"display_name\\": \\"a${middle}b\\"}}`;

  it('raw control characters, DEL, UTF-8 and stray quotes or backslashes inside the envelope string', () => {
    const middles = ['', '\x01', '\t', '\n', '\x1f', '\x7f', '\u00e9', '\\"', '\\\\', '\\n', '\\u0041', '\\/', '\\\\u0041', '\\\\x', '"'];
    for (const m of middles) agree(Buffer.from(head + inner(m) + '"}', 'utf8'));
    // The scanned reading was taken for the plain one (not just declined everywhere).
    expect(readBody(Buffer.from(head + inner('') + '"}'), undefined, LIMITS, reads).ok).toBe(true);
  });

  it('a tab or newline between tokens, escaped or raw; a truncated or over-long envelope', () => {
    const spaced = inner('').replace(', ', ',\\n ').replace(': ', ':\t');
    agree(Buffer.from(head + spaced + '"}'));
    agree(Buffer.from(head + inner('').slice(0, 60) + '"}'));
    agree(Buffer.from(head + inner('') + '"}  '));
    agree(Buffer.from(head + inner('') + '\\"}'));
    agree(Buffer.from(head + inner('') + ' \\"x\\""}'));
  });
});
