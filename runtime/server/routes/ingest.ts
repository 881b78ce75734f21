// POST /v1/notifications: HTTP ingest, with its own bearer token, into the HTTP source.
import type { IngestAnswer } from '../../sources/http/source.js';
import { readRequestBody, refuse, safeEqual, statusLine } from '../http.js';
import type { Route } from './route.js';

export const INGEST_BODY_LIMIT = 16 * 1024 * 1024;

export interface IngestRoute {
  /** null: ingest disabled. */
  ingest: ((body: Buffer) => Promise<IngestAnswer>) | null;
  /** null: no token needed (embedded mode without ingest_token). */
  token: string | null;
  /** A refused request, by code (the gateway counts it). */
  refused(code: string): void;
}

export function ingestRoutes(cfg: IngestRoute): Route[] {
  return [
    {
      method: 'post',
      pattern: '/v1/notifications',
      handle: (res, req) => {
        const authorization = req.getHeader('authorization');
        const ingest = cfg.ingest;
        if (!ingest) return refuse(res, 404, 'ingest_disabled', 'ingest is disabled: set ingest_token in [WEBSOCKET]');
        if (cfg.token !== null && !safeEqual(authorization, `Bearer ${cfg.token}`)) {
          cfg.refused('ingest_unauthorized');
          return refuse(res, 401, 'ingest_unauthorized', 'ingest needs Authorization: Bearer <ingest_token>');
        }
        let aborted = false;
        res.onAborted(() => (aborted = true));
        readRequestBody(res, INGEST_BODY_LIMIT, (body) => {
          if (!body) {
            cfg.refused('too_big');
            return refuse(res, 413, 'too_big', 'body over 16 MiB');
          }
          void ingest(body).then((r) => {
            if (!aborted) res.cork(() => res.writeStatus(statusLine(r.status)).writeHeader('content-type', 'application/json').end(r.body));
          });
        });
      },
    },
  ];
}
