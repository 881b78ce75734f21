// HTTP ingest as a source, with the gateway's real delivery handler and hub: each element of a
// body gets the verdict a broker delivery would get.
import { describe, expect, it } from 'vitest';
import { compileRuleTexts, PUSH_RULES_INI, PUSH_RULES_YAML } from '../gateway/harness.js';
import { HttpIngestSource } from '../../runtime/sources/http/source.js';
import { makeDeliveryHandler, pushIds } from '../../runtime/gateway/notifications.js';
import { makePipeline } from '../../runtime/gateway/pipeline.js';
import { makeMetrics } from '../../runtime/gateway/metrics.js';
import { makeLogger } from '../../runtime/core/log.js';
import { RecentIds } from '../../runtime/core/recent-ids.js';
import { Hub, type HubPush } from '../../runtime/hub/hub.js';
import type { Reason } from '../../runtime/sources/source.js';

const compiled = compileRuleTexts(PUSH_RULES_YAML, PUSH_RULES_INI);
const note = (n: number, extra: object = {}) => ({ event_type: 'test.push', priority: 'INFO', publisher_id: 'p', message_id: `m${n}`, timestamp: '2026-11-21 10:00:00', payload: { target: 'u', n }, ...extra });

function setup() {
  const hub = new Hub({ replaySize: 8, replaySeconds: 60 });
  const got: number[] = [];
  hub.attach({ user: 'u', send: (f) => void got.push((JSON.parse(f) as { data: { message: { n: number } } }).data.message.n) }, []);
  const delivered: HubPush[] = [];
  const dead: Reason[] = [];
  const handler = makeDeliveryHandler('http', {
    pipeline: makePipeline(compiled.rules, compiled.transforms),
    limits: { maxMessageBytes: 4096, maxJsonDepth: 16 },
    recent: new RecentIds(100),
    metrics: makeMetrics(),
    log: makeLogger('silent'),
    deliver: (p) => void (delivered.push(p), hub.deliver(p)),
    bus: null,
  });
  const source = new HttpIngestSource({ connected: () => undefined, deadLettered: (r) => void dead.push(r) });
  source.start(handler);
  return { source, got, delivered, dead };
}

describe('HTTP ingest source', () => {
  it('an array: each element its own verdict (pushed, not UTF-8, duplicate, dropped, not JSON), in order', async () => {
    const { source, got, dead, delivered } = setup();
    const body = Buffer.concat([
      Buffer.from('[' + JSON.stringify(note(1, { _unique_id: 'x1' })) + ', {"event_type": "'),
      Buffer.from([0xff]),
      Buffer.from('"}, ' + JSON.stringify(note(2, { _unique_id: 'x1' })) + ', ' + JSON.stringify(note(3, { priority: 'BOGUS' })) + ', nope, ' + JSON.stringify(note(4)) + ']'),
    ]);
    const answer = await source.ingest(body);
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual({
      results: [
        { message_id: 'm1', pushes: 1 },
        { error: 'body is not UTF-8', code: 'not_utf8' },
        { duplicate: true },
        { dropped: expect.any(String), code: 'unknown_priority' },
        { error: expect.any(String), code: 'not_json' },
        { message_id: 'm4', pushes: 1 },
      ],
    });
    expect(got).toEqual([1, 4]);
    expect(dead.map((r) => r.code)).toEqual(['not_utf8', 'not_json']);
    // Push ids follow the notification's _unique_id, so a second copy is recognised by the hub.
    expect(delivered.map((p) => p.id)).toEqual(['x1#0', null]);
  });

  it('a single body that is not JSON: 400 with its code; an unclosed array: 400', async () => {
    const { source } = setup();
    expect(await source.ingest(Buffer.from('garbage'))).toMatchObject({ status: 400, body: expect.stringContaining('"code":"not_json"') });
    expect(await source.ingest(Buffer.from('[{"a": 1}'))).toMatchObject({ status: 400 });
    expect((await source.ingest(Buffer.from(JSON.stringify({ 'oslo.version': '9.0', 'oslo.message': '{}' })))).status).toBe(200);
  });

  it('push ids: the same key gives the same ids; no key gives none', () => {
    expect(pushIds('t/0/42', 2)).toEqual(['t/0/42#0', 't/0/42#1']);
    expect(pushIds(null, 2)).toEqual([null, null]);
  });
});
