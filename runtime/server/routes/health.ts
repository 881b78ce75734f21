// GET /healthz (the process is alive) and GET /readyz (rules loaded and the sources consuming).
import type { Readiness } from '../../core/readiness.js';
import { statusLine } from '../http.js';
import type { Route } from './route.js';

export function healthRoutes(ready: () => Readiness): Route[] {
  return [
    { method: 'get', pattern: '/healthz', handle: (res) => void res.cork(() => res.writeHeader('content-type', 'text/plain').end('ok\n')) },
    {
      method: 'get',
      pattern: '/readyz',
      handle: (res) => {
        const r = ready();
        res.cork(() => res.writeStatus(statusLine(r.ready ? 200 : 503)).writeHeader('content-type', 'text/plain').end(r.why + '\n'));
      },
    },
  ];
}
