// decode group: compiled vs interpreted decoders on the real corpus, in this process, one core.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadDefinitions } from '../compiler/check/definitions.js';
import { interpreter } from '../compiler/interpret/decode.js';
import { compiledRulesFor, REPO_ROOT } from '../compiler/compile.js';
import { compiledMatcher } from '../runtime/decode/rt.js';
import { decodeDispatched, decodeInput, decodeLine, formatResult, toDispatched, type DecodeResult, type DefinitionMatcher, type Dispatched } from '../runtime/semantics/event.js';
import type { PyValue } from '../runtime/semantics/pyvalue.js';
import { parsePyJson } from '../runtime/semantics/pyjson.js';
import { report, throughput } from './report.js';

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

  // The wire: a v2 envelope (oslo.message is itself JSON), both JSON parses included.
  const wire = lines.map((l) => JSON.stringify({ 'oslo.version': '2.0', 'oslo.message': l }));
  const wireRate = throughput(wire, (w) => decodeLine(fast, w).kind === 'event', seconds);
  report('decode.wire_events_per_s', wireRate, 'events/s', 'v2 envelope text -> event, outer and inner JSON parse included');
}
