// POST /v1/dev-token: development tokens, only in embedded mode on loopback with no key configured.
import { readRequestBody, refuse } from '../http.js';
import { HTTP_ERRORS } from '../errors.js';
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
        if (!devToken) return refuse(res, HTTP_ERRORS.devTokensDisabled);
        readRequestBody(res, 4096, (body, aborted) => {
          const { sub, projects } = readRequest(body);
          if (!sub) return refuse(res, HTTP_ERRORS.badDevTokenRequest);
          void devToken(sub, projects).then((token) => {
            if (!aborted()) res.cork(() => res.writeHeader('content-type', 'application/json').end(JSON.stringify({ token })));
          });
        });
      },
    },
  ];
}
