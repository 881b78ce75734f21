// GET /: the live page (its HTML comes from the gateway; the page itself is runtime/gateway/live-page.ts).
import type { Route } from './route.js';

const CSP = "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self' ws: wss:";

export function pageRoutes(html: string): Route[] {
  return [{ method: 'get', pattern: '/', handle: (res) => void res.cork(() => res.writeHeader('content-type', 'text/html; charset=utf-8').writeHeader('content-security-policy', CSP).end(html)) }];
}
