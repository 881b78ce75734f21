// The upgrade request (websocket.md §1): path, query-string tokens refused, Origin, limits, the
// subprotocol, and a credential in `Authorization: Bearer` or `X-Auth-Token`, checked before the
// socket exists. Headers are copied synchronously and the abort registered before any await.
import type { HttpRequest, HttpResponse, us_socket_context_t } from 'uWebSockets.js';
import type { AuthRouter } from '../auth/router.js';
import { SUBPROTOCOLS } from '../protocol/frames.js';
import { refuse } from './http.js';
import { HTTP_ERRORS } from './errors.js';
import { newSocketData, type ServerEvents, type SocketData } from './socket.js';

export interface UpgradeLimits {
  allowedOrigins: readonly string[];
  maxConnections: number;
}

export interface UpgradeDeps {
  limits: UpgradeLimits;
  authenticate: AuthRouter;
  events: Pick<ServerEvents, 'refused'>;
  /** Open sockets now; shutting down refuses every upgrade. */
  state(): { sockets: number; stopping: boolean };
}

const TOKEN_IN_QUERY = /(^|&)(token|access_token|jwt|auth|authorization|bearer|x-auth-token)=/i;

/** The first subprotocol Herald speaks among those offered, or '' (browsers then close: none asked for is fine). */
export function chooseSubprotocol(header: string): string {
  const offered = header.split(',').map((p) => p.trim());
  return SUBPROTOCOLS.find((p) => offered.includes(p)) ?? '';
}

/** A credential on the upgrade: `Authorization: Bearer <t>` first, then `X-Auth-Token: <t>`. */
export function headerCredential(authorization: string, xAuthToken: string): string | null {
  if (authorization.toLowerCase().startsWith('bearer ')) return authorization.slice(7).trim() || null;
  return xAuthToken.trim() || null;
}

export function originAllowed(allowed: readonly string[], origin: string, host: string): boolean {
  if (origin === '') return true; // not a browser
  if (allowed.includes(origin)) return true;
  // The live page served by this very gateway.
  return origin === `http://${host}` || origin === `https://${host}`;
}

export function makeUpgrade(deps: UpgradeDeps) {
  return (res: HttpResponse, req: HttpRequest, context: us_socket_context_t): void => {
    const query = req.getQuery() ?? '';
    const origin = req.getHeader('origin');
    const host = req.getHeader('host');
    const token = headerCredential(req.getHeader('authorization'), req.getHeader('x-auth-token'));
    const key = req.getHeader('sec-websocket-key');
    // No subprotocol offered (non-browser clients): accepted; offered, it must include one Herald speaks.
    const offered = req.getHeader('sec-websocket-protocol');
    const protocol = chooseSubprotocol(offered);
    const extensions = req.getHeader('sec-websocket-extensions');
    const { sockets, stopping } = deps.state();
    if (stopping) return refuse(res, HTTP_ERRORS.shuttingDown);
    if (TOKEN_IN_QUERY.test(query)) {
      deps.events.refused(HTTP_ERRORS.tokenInQuery.code);
      return refuse(res, HTTP_ERRORS.tokenInQuery);
    }
    if (!originAllowed(deps.limits.allowedOrigins, origin, host)) {
      deps.events.refused(HTTP_ERRORS.originRefused.code);
      return refuse(res, HTTP_ERRORS.originRefused, { origin });
    }
    if (offered !== '' && protocol === '') return refuse(res, HTTP_ERRORS.badSubprotocol, { protocols: SUBPROTOCOLS.join(', '), offered: offered.slice(0, 100) });
    if (sockets >= deps.limits.maxConnections) return refuse(res, HTTP_ERRORS.connectionLimit);
    if (token === null) return void res.upgrade<SocketData>(newSocketData(null), key, protocol, extensions, context);
    let aborted = false;
    res.onAborted(() => (aborted = true));
    void deps.authenticate(token).then((routed) => {
      if (aborted) return;
      res.cork(() => res.upgrade<SocketData>(newSocketData({ routed, token }), key, protocol, extensions, context));
    });
  };
}
