// Issue 17: the wire stage's fast reader (oslo's envelope read natively, JSON.parse where it is
// provably exact) against the exact reader. The same notifications go in as broker bytes and as
// values parsed by the exact reader alone; the events (and the Python data) must be identical.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { deflateSync } from 'node:zlib';
import { join } from 'node:path';
import { readBody, type WireLimits } from '../../runtime/gateway/wire.js';
import { parsePyJson, parsePyJsonExactly, dumpPyJson } from '../../runtime/semantics/pyjson.js';
import { decodeInput, decodeMessage, formatResult, type DefinitionMatcher } from '../../runtime/semantics/event.js';
import { compiledMatcher } from '../../runtime/decode/rt.js';
import { rules } from '../../generated/decoders.js';
import { loadDefinitions } from '../../compiler/check/definitions.js';
import { interpreter } from '../../compiler/interpret/decode.js';
import { PyFloat, type PyValue } from '../../runtime/semantics/pyvalue.js';
import { SAMPLES, readLines } from '../helpers.js';
import { FUZZ_CASES } from '../fuzz/mutate.js';
import { osloEnvelope, osloNotification } from '../../bench/oslo-wire.js';

const LIMITS: WireLimits = { maxMessageBytes: 1 << 22, maxJsonDepth: 64 };
const matcher = compiledMatcher(rules);

/** Python data with every distinction visible: int/float/bigint, -0.0, dict order. */
function typed(v: PyValue | undefined): string {
  if (v === undefined) return 'undefined';
  if (v instanceof PyFloat) return `F(${Object.is(v.value, -0) ? '-0' : String(v.value)})`;
  if (typeof v === 'number') return Number.isInteger(v) ? `I(${Object.is(v, -0) ? '-0' : v})` : `F(${v})`;
  if (typeof v === 'bigint') return `B(${v})`;
  if (Array.isArray(v)) return `[${v.map(typed).join(',')}]`;
  if (v instanceof Map) return `{${[...v].map(([k, x]) => `${JSON.stringify(k)}:${typed(x)}`).join(',')}}`;
  return JSON.stringify(v);
}

/** The outcome of a text through the exact reader alone, then the decoder. */
function exactEvent(text: string, m: DefinitionMatcher<unknown> = matcher): string {
  let v: PyValue;
  try {
    v = parsePyJsonExactly(text);
  } catch (e) {
    return `json error ${(e as Error).message}`;
  }
  return formatResult(decodeInput(m, v));
}

/** The outcome of broker bytes through readBody, then the decoder (one envelope unwrap). */
function wireEvent(body: Uint8Array, compression?: string): string {
  const r = readBody(body, compression, LIMITS);
  return r.ok ? formatResult(decodeMessage(matcher, r.message)) : `reason ${r.reason.code}: ${r.reason.message}`;
}

/** Fast and exact readers agree on the value, or on the error message. */
function sameAsExact(text: string): void {
  let want: string;
  try {
    want = typed(parsePyJsonExactly(text));
  } catch (e) {
    want = `error ${(e as Error).message}`;
  }
  let got: string;
  try {
    got = typed(parsePyJson(text));
  } catch (e) {
    got = `error ${(e as Error).message}`;
  }
  expect(got, text.slice(0, 300)).toBe(want);
}

const corpus = readLines(join(SAMPLES, 'corpus', 'notifications.jsonl'));

describe('wire bytes vs exactly parsed values: equal events', () => {
  it('all 718 corpus notifications as v2 envelopes, v1 bodies and zlib-compressed envelopes', () => {
    expect(corpus).toHaveLength(718);
    let events = 0;
    let floats = 0;
    for (const line of corpus.map(osloNotification)) {
      const want = exactEvent(line);
      if (want.startsWith('{"event_type"')) events++;
      if (/[:,[] -?\d+\.\d/.test(line)) floats++;
      const env = osloEnvelope(line);
      expect(wireEvent(Buffer.from(env)), line.slice(0, 120)).toBe(want);
      expect(wireEvent(Buffer.from(line)), line.slice(0, 120)).toBe(want);
      expect(wireEvent(deflateSync(Buffer.from(env)), 'application/x-gzip')).toBe(want);
      sameAsExact(line);
      sameAsExact(env);
    }
    // The corpus exercises both readers' hard cases, not just plain text.
    expect(events).toBeGreaterThan(500);
    expect(floats).toBeGreaterThan(100);
  });

  it('the real captures (oslo 14.0.3 envelopes, the v1 driver, unicode, Kafka records)', () => {
    const bodies: string[] = [];
    for (const f of ['captured_oslo_14.0.3', 'captured_v1_driver', 'captured_unicode']) {
      for (const l of readLines(join(SAMPLES, 'wire', `${f}.jsonl`))) bodies.push((JSON.parse(l) as { rawBody: string }).rawBody);
    }
    for (const l of readLines(join(SAMPLES, 'wire', 'kafka_records.jsonl'))) {
      const value = (JSON.parse(l) as { value?: string }).value;
      if (value !== undefined) bodies.push(value);
    }
    expect(bodies).toHaveLength(17);
    for (const body of bodies) {
      expect(wireEvent(Buffer.from(body))).toBe(exactEvent(body));
      sameAsExact(body);
    }
  });

  it('the 81 edge cases: same values, same events under each case\'s own definitions', () => {
    const cases = readLines(join(SAMPLES, 'edge_cases.jsonl')).map((l) => parsePyJsonExactly(l) as Map<string, PyValue>);
    expect(cases).toHaveLength(81);
    for (const c of cases) {
      const text = dumpPyJson(c.get('notification')!);
      sameAsExact(text);
      const { rules: caseRules } = loadDefinitions('edge.yaml', c.get('definitions_yaml') as string);
      if (!caseRules) continue;
      const m = interpreter(caseRules);
      const fast = formatResult(decodeInput(m, parsePyJson(text)));
      expect(fast).toBe(exactEvent(text, m));
    }
  });
});

/** Number lexemes JSON.parse alone would get wrong, and some it gets right. */
const hostileNumber = fc.oneof(
  fc.constantFrom('1.0', '-0', '-0.0', '0.0', '1e16', '1E5', '1e+16', '1.5e-07', '1.0000000000000001', '0.99999999999999999', '123456789.999999999',
    '9007199254740993', '-9007199254740993', '12345678901234567890', '999999999999999', '1000000000000000', '0', '-1', '1.5', '100.000', '2e0', '5E-1'),
  fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }).map(String),
  fc.tuple(fc.integer({ min: -1e6, max: 1e6 }), fc.stringMatching(/^[0-9]{1,20}$/), fc.option(fc.integer({ min: -320, max: 320 }))).map(
    ([i, f, e]) => `${i}.${f}${e === null ? '' : `e${e}`}`,
  ),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((x) => (Object.is(x, -0) ? '-0.0' : String(x))),
  fc.nat(5000).map((n) => '9'.repeat(n + 1)),
);
const space = fc.constantFrom('', ' ', '\n', '\t ', '\r\n  ');

/** A JSON text (valid or not) with numbers in every position: values, lists, keys, strings. */
const hostileText: fc.Arbitrary<string> = fc.letrec<{ value: string }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    hostileNumber,
    fc.tuple(space, fc.array(tie('value'), { maxLength: 4 }), space).map(([a, xs, b]) => `[${a}${xs.join(`${a},${b}`)}${b}]`),
    fc.tuple(space, fc.array(fc.tuple(fc.oneof(fc.string(), hostileNumber, fc.constantFrom('0', '1', '01', '4294967295', '\\u0031')), tie('value')), { maxLength: 4 })).map(
      ([s, kv]) => `{${kv.map(([k, v]) => `${s}"${k.replace(/["\\]/g, '')}"${s}:${s}${v}`).join(',')}}`,
    ),
    fc.tuple(fc.constantFrom(': ', ', ', '[', ':'), hostileNumber, fc.constantFrom(',', ']', '}', ' ,', '')).map(([a, n, b]) => JSON.stringify(`x${a}${n}${b}y`)),
    fc.constantFrom('"\\u0000"', '"\\u00001.0"', 'NaN', '-Infinity', 'null', 'true', '"a\\"b"', '01', '1.', '.5', '-', '[1.0,]', '{"a":1.0 "b":2}'),
  ),
})).value;

describe('hostile numbers: the fast reader agrees with the exact one', () => {
  it('generated texts (valid and invalid), top level and nested, also as envelope bytes', () => {
    fc.assert(
      fc.property(hostileText, (text) => {
        sameAsExact(text);
        const doc = `{"payload": ${text}, "n": ${text}}`;
        sameAsExact(doc);
        const r = readBody(Buffer.from(osloEnvelope(doc)), undefined, LIMITS);
        let want: string;
        try {
          want = typed(parsePyJsonExactly(doc));
        } catch (e) {
          want = `oslo.message is not JSON: ${(e as Error).message}`;
        }
        expect(r.ok ? typed(r.message) : r.reason.message).toBe(want);
      }),
      { numRuns: Math.max(2000, FUZZ_CASES), seed: 17 },
    );
  });

  it('each known trap, alone and in a list', () => {
    for (const n of ['1.0', '-0', '-0.0', '1e16', '9007199254740993', '1.0000000000000001', '0.99999999999999999', '123456789.999999999']) {
      expect(typed(parsePyJson(`[${n}]`))).toBe(typed(parsePyJsonExactly(`[${n}]`)));
    }
    expect(typed(parsePyJson('{"a": 1.0, "b": -0, "c": 12345678901234567890}'))).toBe('{"a":F(1),"b":I(0),"c":B(12345678901234567890)}');
    expect([...(parsePyJson('{"b": 1, "2": 2, "1": 3}') as Map<string, PyValue>).keys()]).toEqual(['b', '2', '1']);
    expect(() => parsePyJson(`[${'1'.repeat(4301)}]`)).toThrow(/Exceeds the limit \(4300 digits\)/);
  });
});
