// POST /v1/notifications: the HTTP source. A body gets the verdicts the broker path gives (same
// UTF-8 and JSON checks, same coded reasons), counted and logged the same way; the body may be one
// notification or a JSON array of them, each answered in `results`.
import type { Logger } from './log.js';
import type { Metrics } from './metrics.js';
import type { Processed } from './pipeline.js';
import { refusalOf } from './refusal.js';
import { parseLimited, utf8Text, unwrapNotification, type RecentIds, type WireLimits } from './wire.js';
import type { PyDict, PyValue } from '../semantics/pyvalue.js';
import type { Reason } from '../sources/source.js';

export const INGEST_BODY_LIMIT = 16 * 1024 * 1024;

export interface IngestResult {
  status: number;
  body: string;
}

export interface IngestDeps {
  limits: WireLimits;
  recent: RecentIds;
  metrics: Metrics;
  log: Logger;
  /** Decode, transform and hand the pushes to the sockets. */
  handOver(message: PyDict): Processed;
}

/** Handles one request body; null means it was over INGEST_BODY_LIMIT. */
export type Ingest = (body: Buffer | null) => IngestResult;

export function makeHttpIngest(deps: IngestDeps): Ingest {
  const { metrics, log } = deps;
  function refused(reason: Reason, messageId: string | null = null, rule: string | null = null): void {
    metrics.deadLettered.inc({ source: 'http', reason: reason.code });
    log.warn({ source: 'http', code: reason.code, message_id: messageId, rule, reason: reason.message }, 'notification refused');
  }
  const answer = (status: number, o: unknown): IngestResult => ({ status, body: JSON.stringify(o) });

  function item(value: PyValue): Record<string, unknown> {
    const r = unwrapNotification(value, deps.limits);
    if (!r.ok) {
      refused(r.reason);
      return { error: r.reason.message, code: r.reason.code };
    }
    if (r.uniqueId !== null && deps.recent.seen(r.uniqueId)) {
      metrics.duplicates.inc();
      return { duplicate: true };
    }
    const out = deps.handOver(r.message);
    const reason = refusalOf(r.message, out);
    const id = r.message.get('message_id');
    const messageId = typeof id === 'string' ? id : null;
    if (reason) {
      refused(reason, messageId, out.result.kind === 'error' ? (out.result.rule ?? null) : null);
      return { error: reason.message, code: reason.code };
    }
    if (out.result.kind === 'event') return { message_id: out.result.event.message_id, pushes: out.pushes.length };
    return out.result.kind === 'dropped' ? { dropped: out.result.reason, code: out.result.code } : {};
  }

  return (body) => {
    if (body === null) {
      const reason: Reason = { code: 'too_big', message: `body over ${INGEST_BODY_LIMIT / 1024 / 1024} MiB` };
      refused(reason);
      return answer(413, { error: reason.message, code: reason.code });
    }
    const text = utf8Text(body);
    const parsed = text === null ? ({ ok: false, reason: { code: 'not_utf8', message: 'body is not UTF-8' } } as const) : parseLimited(text, deps.limits, 'body');
    if (!parsed.ok) {
      refused(parsed.reason);
      return answer(400, { error: parsed.reason.message, code: parsed.reason.code });
    }
    const items = Array.isArray(parsed.value) ? parsed.value : [parsed.value];
    return answer(200, { results: items.map(item) });
  };
}
