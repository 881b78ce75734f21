// POST /v1/notifications: HTTP ingest, with its own bearer token, into the HTTP source.
import type { IngestAnswer } from '../../sources/http/source.js';
import { readRequestBody, refuse, safeEqual, statusLine } from '../http.js';
import { HTTP_ERRORS } from '../errors.js';
import type { Route } from './route.js';

export const INGEST_BODY_LIMIT = 16 * 1024 * 1024;

export interface IngestRoute {
  /** null: ingest disabled. */
  ingest: ((body: Buffer) => Promise<IngestAnswer>) | null;
  /** null: no token needed (embedded mode without ingest_token). */
  token: string | null;
  /** A body over the limit was refused (counted like a dead letter of the HTTP source). */
  tooBig(code: string): void;
}

export function ingestRoutes(cfg: IngestRoute): Route[] {
  return [
    {
      method: 'post',
      pattern: '/v1/notifications',
      handle: (res, req) => {
        const authorization = req.getHeader('authorization');
        const ingest = cfg.ingest;
        if (!ingest) return refuse(res, HTTP_ERRORS.ingestDisabled);
        if (cfg.token !== null && !safeEqual(authorization, `Bearer ${cfg.token}`)) {
          return refuse(res, HTTP_ERRORS.ingestUnauthorized);
        }
        readRequestBody(res, INGEST_BODY_LIMIT, (body, aborted) => {
          if (!body) {
            cfg.tooBig(HTTP_ERRORS.tooBig.code);
            return refuse(res, HTTP_ERRORS.tooBig, { limit: '16 MiB' });
          }
          void ingest(body).then((r) => {
            if (!aborted()) res.cork(() => res.writeStatus(statusLine(r.status)).writeHeader('content-type', 'application/json').end(r.body));
          });
        });
      },
    },
  ];
}
