// Issue 7: fuzzing the four front ends with mutated real inputs and random text. No crash, no
// hang (each case is timed), every failure a diagnostic, a documented error type, a dead-letter
// reason or a dropped result. CI runs HERALD_FUZZ_CASES (default 3,000) per target;
// `npm run fuzz` runs 100,000.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SAMPLES, readLines } from '../helpers.js';
import { fuzzInput, FUZZ_CASES } from './mutate.js';
import { readBody } from '../../runtime/gateway/wire.js';
import { makePipeline } from '../../runtime/gateway/pipeline.js';
import { rules } from '../../generated/decoders.js';
import { transforms } from '../../generated/transformers.js';
import { loadDefinitions } from '../../compiler/check/definitions.js';
import { loadSettings } from '../../compiler/check/settings.js';
import { parsePyLiteral, LiteralError } from '../../runtime/config/pyliteral.js';
import { parseJsonPath, JsonPathError } from '../../compiler/parse/jsonpath.js';
import { RegexUnsupported } from '../../compiler/parse/pyregex.js';
import { ROOT } from '../helpers.js';

/** Runs `fn` on every input; records the slowest case so a hang-like input fails the test. */
function fuzz(seeds: string[], fn: (input: string) => void): { slowestMs: number; slowest: string } {
  let slowestMs = 0;
  let slowest = '';
  fc.assert(
    fc.property(fuzzInput(seeds), (input) => {
      const t = performance.now();
      fn(input);
      const ms = performance.now() - t;
      if (ms > slowestMs) {
        slowestMs = ms;
        slowest = input.slice(0, 200);
      }
    }),
    { numRuns: FUZZ_CASES, seed: Number(process.env.HERALD_FUZZ_SEED ?? 20261121) },
  );
  return { slowestMs, slowest };
}

const corpus = readLines(join(SAMPLES, 'corpus', 'notifications.jsonl')).slice(0, 200);
const definitions = readFileSync(join(ROOT, 'rules', 'event_definitions.yaml'), 'utf8');
const settingsText = readFileSync(join(ROOT, 'rules', 'settings.ini'), 'utf8');
const realRules = loadDefinitions('rules/event_definitions.yaml', definitions).rules!;
const LIMIT_MS = 1000;
// The YAML front end takes a few ms per case: 100,000 cases need minutes.
const TIMEOUT = 120_000 + FUZZ_CASES * 10;

describe(`fuzz (${FUZZ_CASES} cases per target)`, () => {
  it('wire decoder + generated rules: every body is pushed, dropped or given a dead-letter reason', () => {
    const pipeline = makePipeline(rules, transforms);
    const outcomes = { ok: 0, reason: 0 };
    const r = fuzz(corpus, (text) => {
      const body = readBody(Buffer.from(text), undefined, { maxMessageBytes: 1 << 20, maxJsonDepth: 64 });
      if (!body.ok) {
        expect(body.reason.code).toMatch(/^[a-z_]+$/);
        expect(body.reason.message).not.toBe('');
        outcomes.reason++;
        return;
      }
      outcomes.ok++;
      const out = pipeline(body.message);
      expect(['event', 'dropped', 'error']).toContain(out.result.kind);
    });
    expect(r.slowestMs, r.slowest).toBeLessThan(LIMIT_MS);
    expect(outcomes.ok).toBeGreaterThan(FUZZ_CASES / 20);
    expect(outcomes.reason).toBeGreaterThan(FUZZ_CASES / 20);
  }, TIMEOUT);

  it('settings.ini reader and Python literals: diagnostics only', () => {
    const r = fuzz([settingsText, "transformer = [{'a': (1, 2.0, -0x1F, r'x', \"\"\"t\"\"\")}]"], (text) => {
      const { diagnostics } = loadSettings('fuzz.ini', text, realRules);
      for (const d of diagnostics.items) expect(d.code).toMatch(/^H[EW]\d{3}$/);
      try {
        parsePyLiteral(text);
      } catch (e) {
        if (!(e instanceof LiteralError)) throw e;
      }
    });
    expect(r.slowestMs, r.slowest).toBeLessThan(LIMIT_MS);
  }, TIMEOUT);

  it('YAML front end (event definitions): diagnostics only', () => {
    const seeds = [definitions.slice(0, 4000), definitions.slice(9000, 14000), readFileSync(join(SAMPLES, 'seed', 'event_definitions.yaml'), 'utf8')];
    const r = fuzz(seeds, (text) => {
      const { diagnostics } = loadDefinitions('fuzz.yaml', text);
      for (const d of diagnostics.items) expect(d.code).toMatch(/^H[EW]\d{3}$/);
    });
    expect(r.slowestMs, r.slowest).toBeLessThan(LIMIT_MS);
  }, TIMEOUT);

  it('JSONPath parser: a path or a JsonPathError', () => {
    const seeds = [...definitions.matchAll(/fields: (.+)$/gm)].map((m) => m[1]!.replace(/^['"]|['"]$/g, '')).concat(['payload.a[?k=v]', 'a..b[/k]', '`sub(/x+/, y)`', 'a[1:3] | b.*', 'payload.x where y', '$.a[*].`len`']);
    const r = fuzz(seeds, (text) => {
      try {
        parseJsonPath(text);
      } catch (e) {
        if (!(e instanceof JsonPathError) && !(e instanceof RegexUnsupported)) throw e;
      }
    });
    expect(r.slowestMs, r.slowest).toBeLessThan(LIMIT_MS);
  }, TIMEOUT);
});
