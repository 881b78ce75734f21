// The live console's HTTP routes beside GET /: its icon, and in embedded mode (HTTP ingest open
// without a token) the sample picker's list and notifications. Registered by server.ts with one
// line; the page itself posts a sample to POST /v1/notifications like any producer would.
import type { HttpResponse, TemplatedApp } from 'uWebSockets.js';
import type { WebSocketConfig } from './config.js';
import { CONSOLE_SAMPLES } from './console/samples.generated.js';
import { sampleFor } from './console/samples.js';

export const FAVICON_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="7" fill="#1f3a5f"/><path d="M8 22V10h3v4.6h10V10h3v12h-3v-4.6H11V22z" fill="#fff"/><circle cx="25.5" cy="6.5" r="3.5" fill="#36c28a"/></svg>';

function json(res: HttpResponse, status: string, body: unknown): void {
  res.cork(() => res.writeStatus(status).writeHeader('content-type', 'application/json').writeHeader('cache-control', 'no-store').end(JSON.stringify(body)));
}

export function registerConsoleRoutes(app: TemplatedApp, cfg: WebSocketConfig, ingestOpen: boolean): void {
  // The page's browser would otherwise ask for /favicon.ico and log the 404.
  for (const path of ['/favicon.svg', '/favicon.ico'])
    app.get(path, (res) => void res.cork(() => res.writeHeader('content-type', 'image/svg+xml').writeHeader('cache-control', 'max-age=86400').end(FAVICON_SVG)));

  // Only where the page could post them itself: ingest on and needing no token.
  const picker = ingestOpen && cfg.ingestToken === null;
  app.get('/v1/console/samples', (res) => {
    if (!picker) return json(res, '200 OK', { samples: [], why: 'the sample picker needs embedded mode (HTTP ingest without ingest_token)' });
    json(res, '200 OK', { samples: CONSOLE_SAMPLES.map((s, id) => ({ id, name: s.name, eventType: s.eventType, source: s.source })) });
  });
  app.get('/v1/console/samples/:id', (res, req) => {
    const sample = CONSOLE_SAMPLES[Number(req.getParameter(0))];
    const user = new URLSearchParams(req.getQuery() ?? '').get('user') ?? '';
    if (!picker) return json(res, '404 Not Found', { error: 'the sample picker needs embedded mode' });
    if (!sample || !user) return json(res, '404 Not Found', { error: 'ask for /v1/console/samples/<id>?user=<user id>, id from /v1/console/samples' });
    res.cork(() => res.writeHeader('content-type', 'application/json').writeHeader('cache-control', 'no-store').end(sampleFor(sample, user)));
  });
}
