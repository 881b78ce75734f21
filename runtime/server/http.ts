// Small HTTP helpers for uWS responses: a JSON refusal, a size-limited body, a constant-time compare.
import type { HttpResponse } from 'uWebSockets.js';
import { timingSafeEqual } from 'node:crypto';
import { messageOf, type HttpError } from './errors.js';

export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

const REASONS: Record<number, string> = { 200: 'OK', 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 413: 'Payload Too Large', 503: 'Service Unavailable' };

export const statusLine = (status: number): string => `${status} ${REASONS[status] ?? 'Error'}`;

/** A JSON answer `{"error": message, "code": code}` from the catalogue (codes are what metrics and clients match on). */
export function refuse(res: HttpResponse, e: HttpError, args: Readonly<Record<string, string | number>> = {}): void {
  const body = JSON.stringify({ error: messageOf(e, args), code: e.code });
  res.cork(() => res.writeStatus(statusLine(e.status)).writeHeader('content-type', 'application/json').end(body));
}

/**
 * Reads a request body up to `limit` bytes, then calls `done` (null when too big); nothing after an
 * abort. It owns the response's one onAborted handler: `aborted()` tells an async answer whether it may still write.
 */
export function readRequestBody(res: HttpResponse, limit: number, done: (body: Buffer | null, aborted: () => boolean) => void): void {
  const chunks: Buffer[] = [];
  let size = 0;
  let over = false;
  let aborted = false;
  res.onAborted(() => (aborted = true));
  res.onData((chunk, isLast) => {
    if (aborted) return;
    size += chunk.byteLength;
    if (size > limit) over = true;
    else chunks.push(Buffer.from(chunk.slice(0)));
    if (isLast) done(over ? null : Buffer.concat(chunks), () => aborted);
  });
}
