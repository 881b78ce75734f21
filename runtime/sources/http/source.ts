// HTTP ingest (POST /v1/notifications): the embedded mode's notification source. Each element of
// the body is a delivery with the verdict any source gets; the answer lists one result per
// element instead of acknowledging (there is no queue to dead-letter into: the client is told).
import type { Readiness } from '../../core/readiness.js';
import type { DeliveryHandler, NotificationSource, SourceEvents, Verdict } from '../source.js';
import { isArrayBody, splitItems } from './split.js';

export interface IngestAnswer {
  status: number;
  body: string;
}

export type ItemResult =
  | { message_id: string | null; pushes: number }
  | { duplicate: true }
  | { dropped: string; code: string }
  | { error: string; code: string };

/** Reasons that mean the bytes are not a JSON document at all. */
const UNREADABLE = new Set(['not_utf8', 'not_json', 'too_deep', 'too_big']);

async function settle(v: Verdict): Promise<Exclude<Verdict, { kind: 'pending' }>> {
  while (v.kind === 'pending') v = await v.settled;
  return v;
}

export class HttpIngestSource implements NotificationSource {
  readonly kind = 'http';
  private handle: DeliveryHandler | null = null;

  constructor(private readonly events: SourceEvents) {}

  start(handler: DeliveryHandler): void {
    this.handle = handler;
  }

  async stop(): Promise<void> {
    this.handle = null;
  }

  readiness(): Readiness {
    return { ready: true, why: 'HTTP ingest' };
  }

  private result(v: Exclude<Verdict, { kind: 'pending' }>): ItemResult {
    if (v.kind === 'handed-over') return { message_id: v.messageId, pushes: v.pushes };
    if (v.kind === 'dead-letter') {
      this.events.deadLettered(v.reason);
      return { error: v.reason.message, code: v.reason.code };
    }
    return v.reason.code === 'duplicate' ? { duplicate: true } : { dropped: v.reason.message, code: v.reason.code };
  }

  private verdict(body: Uint8Array, handle: DeliveryHandler): Verdict {
    try {
      return handle({ body, headers: {}, redeliveryKey: null });
    } catch (e) {
      return { kind: 'dead-letter', reason: { code: 'internal_error', message: `internal error: ${(e as Error).message}` } };
    }
  }

  /** One POST body (already within the route's size limit). */
  async ingest(body: Uint8Array): Promise<IngestAnswer> {
    const handle = this.handle;
    if (!handle) return { status: 503, body: JSON.stringify({ error: 'shutting down', code: 'stopping' }) };
    const items = splitItems(body);
    if (!items) {
      const reason = { code: 'not_json' as const, message: 'body is not JSON: the array is not closed' };
      this.events.deadLettered(reason);
      return { status: 400, body: JSON.stringify({ error: reason.message, code: reason.code }) };
    }
    const results: ItemResult[] = [];
    // In order, one at a time: pushes keep the order of the body.
    for (const it of items) {
      const v = this.verdict(it, handle);
      // Synchronous unless scale-out publishes to the push bus first.
      results.push(this.result(v.kind === 'pending' ? await settle(v).catch((e: Error) => ({ kind: 'dead-letter' as const, reason: { code: 'internal_error' as const, message: `push bus: ${e.message}` } })) : v));
    }
    // A single body that does not even read as JSON is a bad request, as before; in an array each element answers for itself.
    const only = results[0];
    if (!isArrayBody(body) && results.length === 1 && only && 'error' in only && UNREADABLE.has(only.code)) return { status: 400, body: JSON.stringify(only) };
    return { status: 200, body: JSON.stringify({ results }) };
  }
}
