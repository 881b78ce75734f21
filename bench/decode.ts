// decode group: compiled vs interpreted decoders on the real corpus, in this process, one core.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadDefinitions } from '../compiler/check/definitions.js';
import { interpreter } from '../compiler/interpret/decode.js';
import { compiledRulesFor, REPO_ROOT } from '../compiler/compile.js';
import { compiledMatcher } from '../runtime/decode/rt.js';
import { decodeDispatched, decodeInput, decodeMessage, formatResult, toDispatched, type DecodeResult, type DefinitionMatcher, type Dispatched } from '../runtime/semantics/event.js';
import type { PyValue } from '../runtime/semantics/pyvalue.js';
import { parsePyJson } from '../runtime/semantics/pyjson.js';
import { report, throughput } from './report.js';
import { readBody } from '../runtime/gateway/wire.js';
import { readsOfMatcher } from '../runtime/semantics/reads.js';
import { osloEnvelope, osloNotification } from './oslo-wire.js';

const SAMPLES = join(REPO_ROOT, '..', 'shared', 'samples');

export async function benchDecode(seconds = 3): Promise<void> {
  const defsPath = join(SAMPLES, 'event_definitions.yaml');
  const { rules } = loadDefinitions(defsPath, readFileSync(defsPath, 'utf8'));
  if (!rules) throw new Error(`${defsPath} does not load`);
  const lines = readFileSync(join(SAMPLES, 'corpus', 'notifications.jsonl'), 'utf8').split('\n').filter((l) => l.trim());
  const parsed = lines.map(parsePyJson);
  const { compiled, from } = await compiledRulesFor(rules);
  const fast = compiledMatcher(compiled);
  const slow = interpreter(rules);

  // Same answers first: a benchmark of wrong code measures nothing. (generated/ names its rules
  // by rules/event_definitions.yaml, the interpreter by the shared copy: compare without them.)
  const answer = (r: DecodeResult): string => formatResult(r.kind === 'error' ? { ...r, rule: undefined } : r);
  parsed.forEach((p, i) => {
    if (answer(decodeInput(fast, p)) !== answer(decodeInput(slow, p))) throw new Error(`corpus line ${i + 1}: compiled and interpreted differ`);
  });

  // Pre-parsed means what Ceilometer's converter is handed: the dispatcher's five-key body
  // (JSON parsed, oslo's context unpacked). That is the stage its ~6,400 events/s is for.
  const dispatched = parsed.map(toDispatched);
  const converter = (m: DefinitionMatcher<unknown>) => (d: Dispatched) => decodeDispatched(m, d).kind === 'event';
  const fromInput = (m: DefinitionMatcher<unknown>) => (p: PyValue) => decodeInput(m, p).kind === 'event';
  throughput(dispatched, converter(fast), 0.5);
  throughput(dispatched, converter(slow), 0.5);
  const interpreted = throughput(dispatched, converter(slow), seconds);
  const compiledRate = throughput(dispatched, converter(fast), seconds);
  report('decode.interpreted_events_per_s', interpreted, 'events/s', `reference interpreter, ${parsed.length} corpus notifications, converter stage`);
  report('decode.compiled_events_per_s', compiledRate, 'events/s', `generated decoders (${from}), converter stage (pre-parsed, context unpacked)`);
  report('decode.compiled_vs_interpreted', compiledRate / interpreted, 'x', 'same corpus, same process, one after the other');
  const inputRate = throughput(parsed, fromInput(fast), seconds);
  report('decode.compiled_input_events_per_s', inputRate, 'events/s', 'parsed v1 wire dict -> event: oslo context unpacking included');

  benchWire(lines, fast, seconds);
}

/**
 * The wire stage: oslo's envelope bytes -> readBody (exact JSON, one envelope unwrap) -> event,
 * against a plain double JSON.parse (outer, then oslo.message) of the same texts. The two run in
 * alternating rounds so that a busy machine slows both alike; three repeats, medians.
 */
export function benchWire(lines: readonly string[], matcher: DefinitionMatcher<number>, seconds: number): void {
  const texts = lines.map((l) => osloEnvelope(osloNotification(l)));
  const bodies = texts.map((t) => Buffer.from(t));
  const limits = { maxMessageBytes: 1 << 22, maxJsonDepth: 64 };
  const reads = readsOfMatcher(matcher);
  const herald = (): number => {
    let n = 0;
    for (const b of bodies) {
      const r = readBody(b, undefined, limits, reads);
      if (r.ok && decodeMessage(matcher, r.message).kind === 'event') n++;
    }
    return n;
  };
  const doubleParse = (): number => {
    let n = 0;
    for (const t of texts) if (JSON.parse((JSON.parse(t) as Record<string, string>)['oslo.message']!) !== null) n++;
    return n;
  };
  const ratios: number[] = [];
  const rates: number[] = [];
  for (let repeat = 0; repeat < 3; repeat++) {
    const [heraldS, parseS] = alternating([herald, doubleParse], seconds) as [number, number];
    rates.push(texts.length / heraldS);
    ratios.push(parseS / heraldS);
  }
  report('decode.wire_events_per_s', median(rates), 'events/s', `oslo v2 envelope bytes -> event (${texts.length} corpus notifications), exact JSON, one unwrap`);
  report('decode.wire_vs_json_parse', median(ratios), 'x', `that rate / double JSON.parse of the same texts, alternating rounds (runs: ${ratios.map((r) => r.toFixed(2)).join(', ')})`);
}

/** Seconds per call of each function, timed in alternating calls for about `seconds` in all. */
function alternating(fns: ReadonlyArray<() => number>, seconds: number): number[] {
  const spent = fns.map(() => 0);
  let sink = 0;
  let calls = 0;
  const started = performance.now();
  do {
    fns.forEach((fn, i) => {
      const t = performance.now();
      sink += fn();
      spent[i]! += performance.now() - t;
    });
    calls++;
  } while (performance.now() - started < seconds * 1000 || calls < 3);
  if (sink < 0) process.stderr.write('');
  return spent.map((ms) => ms / 1000 / calls);
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}
