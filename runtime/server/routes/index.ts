// Every HTTP route beside the socket, registered in one place (websocket.md §5).
import type { Readiness } from '../../core/readiness.js';
import { refuse } from '../http.js';
import { HTTP_ERRORS } from '../errors.js';
import { devTokenRoutes, type DevTokens } from './dev-token.js';
import { healthRoutes } from './health.js';
import { ingestRoutes, type IngestRoute } from './ingest.js';
import { metricsRoutes, type MetricsText } from './metrics.js';
import { pageRoutes } from './page.js';
import type { Route } from './route.js';

export type { Route } from './route.js';

export interface RouteDeps {
  ready(): Readiness;
  metrics: MetricsText;
  livePage: string;
  ingest: IngestRoute;
  devToken: DevTokens | null;
}

export function httpRoutes(deps: RouteDeps): Route[] {
  return [
    ...healthRoutes(deps.ready),
    ...metricsRoutes(deps.metrics),
    ...pageRoutes(deps.livePage),
    ...ingestRoutes(deps.ingest),
    ...devTokenRoutes(deps.devToken),
    { method: 'any', pattern: '/*', handle: (res) => refuse(res, HTTP_ERRORS.noRoute) },
  ];
}
