// The live console's routes beside GET /: its icon (a browser asks for one and logs the 404
// otherwise) and, where the page could post them itself (embedded: ingest open without a token),
// the sample picker's list and notifications made ready for the console's user.
import type { HttpResponse } from 'uWebSockets.js';
import type { Route } from './route.js';

export const FAVICON_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="7" fill="#1f3a5f"/><path d="M8 22V10h3v4.6h10V10h3v12h-3v-4.6H11V22z" fill="#fff"/><circle cx="25.5" cy="6.5" r="3.5" fill="#36c28a"/></svg>';

export interface ConsoleSamples {
  list: ReadonlyArray<{ name: string; eventType: string; source: string }>;
  /** Sample `id` as a notification for `user` with fresh ids; null when there is no such sample. */
  notificationFor(id: number, user: string): string | null;
}

function json(res: HttpResponse, status: string, body: unknown): void {
  res.cork(() => res.writeStatus(status).writeHeader('content-type', 'application/json').writeHeader('cache-control', 'no-store').end(JSON.stringify(body)));
}

const icon = (res: HttpResponse): void => void res.cork(() => res.writeHeader('content-type', 'image/svg+xml').writeHeader('cache-control', 'max-age=86400').end(FAVICON_SVG));

/** `samples` null: the picker is off (a broker is configured, or ingest needs a token). */
export function consoleRoutes(samples: ConsoleSamples | null): Route[] {
  return [
    { method: 'get', pattern: '/favicon.svg', handle: icon },
    { method: 'get', pattern: '/favicon.ico', handle: icon },
    {
      method: 'get',
      pattern: '/v1/console/samples',
      handle: (res) =>
        samples
          ? json(res, '200 OK', { samples: samples.list.map((s, id) => ({ id, name: s.name, eventType: s.eventType, source: s.source })) })
          : json(res, '200 OK', { samples: [], why: 'the sample picker needs embedded mode (HTTP ingest without ingest_token)' }),
    },
    {
      method: 'get',
      pattern: '/v1/console/samples/:id',
      handle: (res, req) => {
        if (!samples) return json(res, '404 Not Found', { error: 'the sample picker needs embedded mode' });
        const user = new URLSearchParams(req.getQuery() ?? '').get('user') ?? '';
        const body = user ? samples.notificationFor(Number(req.getParameter(0)), user) : null;
        if (body === null) return json(res, '404 Not Found', { error: 'ask for /v1/console/samples/<id>?user=<user id>, id from /v1/console/samples' });
        res.cork(() => res.writeHeader('content-type', 'application/json').writeHeader('cache-control', 'no-store').end(body));
      },
    },
  ];
}
