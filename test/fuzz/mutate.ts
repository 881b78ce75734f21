// Fuzz inputs: real seeds mutated the way fuzzers do (flip, insert, delete, duplicate, splice,
// truncate, interesting bytes), plus plain random text. Deterministic per seed number.
import fc from 'fast-check';

const INTERESTING = ['\x00', '\uffff', '\ud800', '{', '}', '[', ']', '"', "'", '\\', ':', ',', '\n', '\r', '\t', ' ', '#', ';', '=', '*', '!', '$', '@', '..', '|', '`', '&', '9999999999999999999999', '-0', '1e309', 'NaN', '<<', '&a', '*a', '%'];

export type Mutation = { kind: 'flip' | 'insert' | 'delete' | 'dup' | 'truncate' | 'interesting'; at: number; len: number; pick: number };

const mutation: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.constantFrom('flip', 'insert', 'delete', 'dup', 'truncate', 'interesting'),
  at: fc.nat(),
  len: fc.integer({ min: 1, max: 64 }),
  pick: fc.nat(),
});

function applyMutations(seed: string, ms: readonly Mutation[]): string {
  let s = seed;
  for (const m of ms) {
    const at = s.length ? m.at % (s.length + 1) : 0;
    switch (m.kind) {
      case 'flip': {
        const c = s.charCodeAt(at) ^ (1 << m.pick % 7);
        s = s.slice(0, at) + String.fromCharCode(Number.isNaN(c) ? 65 : c) + s.slice(at + 1);
        break;
      }
      case 'insert':
        s = s.slice(0, at) + String.fromCharCode(m.pick % 0x3000) + s.slice(at);
        break;
      case 'delete':
        s = s.slice(0, at) + s.slice(at + m.len);
        break;
      case 'dup':
        s = s.slice(0, at) + s.slice(at, at + m.len) + s.slice(at);
        break;
      case 'truncate':
        s = s.slice(0, at);
        break;
      case 'interesting':
        s = s.slice(0, at) + INTERESTING[m.pick % INTERESTING.length] + s.slice(at);
        break;
    }
  }
  return s;
}

/** A fuzz input: a mutated seed (mostly) or random text. */
export function fuzzInput(seeds: readonly string[]): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 8, arbitrary: fc.tuple(fc.constantFrom(...seeds), fc.array(mutation, { minLength: 1, maxLength: 8 })).map(([s, ms]) => applyMutations(s, ms)) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 300 }) },
    { weight: 1, arbitrary: fc.string({ unit: fc.constantFrom(...INTERESTING), maxLength: 60 }) },
  );
}

export const FUZZ_CASES = Number(process.env.HERALD_FUZZ_CASES ?? 3000);
