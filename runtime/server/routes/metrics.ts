// GET /metrics: the Prometheus text of the gateway's registry.
import type { Route } from './route.js';

export interface MetricsText {
  contentType: string;
  text(): Promise<string>;
}

export function metricsRoutes(metrics: MetricsText): Route[] {
  return [
    {
      method: 'get',
      pattern: '/metrics',
      handle: (res) => {
        let aborted = false;
        res.onAborted(() => (aborted = true));
        void metrics.text().then((text) => {
          if (!aborted) res.cork(() => res.writeHeader('content-type', metrics.contentType).end(text));
        });
      },
    },
  ];
}
