// The console's generated modules are what bundle/console.ts makes from their sources (as
// `herald compile --check` does for generated/), the picker's samples each make a push with the
// shipped rules, and a picked sample is re-addressed to the console's user with fresh ids.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../helpers.js';
import { samplesModule, scriptModule } from '../../bundle/console.js';
import { CONSOLE_SAMPLES } from '../../runtime/gateway/console/samples.generated.js';
import { sampleFor } from '../../runtime/gateway/console/samples.js';
import { makePipeline } from '../../runtime/gateway/pipeline.js';
import { parseLimited, unwrapNotification } from '../../runtime/gateway/wire.js';
import { rules } from '../../generated/decoders.js';
import { transforms } from '../../generated/transformers.js';

const committed = (name: string) => readFileSync(join(ROOT, 'runtime', 'gateway', 'console', name), 'utf8');
const LIMITS = { maxMessageBytes: 1 << 24, maxJsonDepth: 100 };

function pushesOf(text: string) {
  const parsed = parseLimited(text, LIMITS, 'sample');
  if (!parsed.ok) throw new Error(parsed.reason.message);
  const r = unwrapNotification(parsed.value, LIMITS);
  if (!r.ok) throw new Error(r.reason.message);
  return { pushes: makePipeline(rules, transforms)(r.message).pushes, uniqueId: r.uniqueId };
}

describe('console build', () => {
  it('the committed console script and samples are current (run `npm run console`)', async () => {
    expect(committed('script.generated.ts')).toBe(await scriptModule());
    expect(committed('samples.generated.ts')).toBe(samplesModule());
  });

  it('every sample makes a push; posted as another user it goes to that user, with new ids', () => {
    expect(CONSOLE_SAMPLES.length).toBeGreaterThanOrEqual(10);
    expect(CONSOLE_SAMPLES.some((s) => s.eventType.endsWith('.error'))).toBe(true);
    for (const s of CONSOLE_SAMPLES) {
      const original = pushesOf(s.body);
      expect(original.pushes[0]?.users, s.name).toEqual([s.user]);
      const posted = pushesOf(sampleFor(s, 'console-user'));
      expect(posted.pushes.map((p) => p.users), s.name).toEqual([['console-user']]);
      expect(posted.pushes[0]!.data.replaceAll('console-user', s.user), s.name).toBe(original.pushes[0]!.data);
      if (original.uniqueId !== null) expect(posted.uniqueId).not.toBe(original.uniqueId);
    }
  });
});
