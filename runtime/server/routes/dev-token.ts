// POST /v1/dev-token: development tokens, only in embedded mode on loopback with no key configured.
import { readRequestBody, refuse } from '../http.js';
import type { Route } from './route.js';

export type DevTokens = (sub: string, projects: string[]) => Promise<string>;

function readRequest(body: Buffer | null): { sub: string; projects: string[] } {
  try {
    const o = JSON.parse(body?.toString('utf8') ?? '') as { sub?: unknown; projects?: unknown };
    return { sub: typeof o.sub === 'string' ? o.sub : '', projects: Array.isArray(o.projects) ? o.projects.filter((p): p is string => typeof p === 'string') : [] };
  } catch {
    return { sub: '', projects: [] };
  }
}

export function devTokenRoutes(devToken: DevTokens | null): Route[] {
  return [
    {
      method: 'post',
      pattern: '/v1/dev-token',
      handle: (res) => {
        if (!devToken) return refuse(res, 404, 'dev_tokens_disabled', 'development tokens exist only in embedded mode with no JWT key configured');
        let aborted = false;
        res.onAborted(() => (aborted = true));
        readRequestBody(res, 4096, (body) => {
          const { sub, projects } = readRequest(body);
          if (!sub) return refuse(res, 400, 'bad_request', 'send {"sub": "<user id>", "projects": [...]}');
          void devToken(sub, projects).then((token) => {
            if (!aborted) res.cork(() => res.writeHeader('content-type', 'application/json').end(JSON.stringify({ token })));
          });
        });
      },
    },
  ];
}
