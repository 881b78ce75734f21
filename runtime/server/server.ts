// The uWebSockets.js server, assembled from its parts: upgrade checks (upgrade.ts), a socket's
// life (session.ts), backpressure (backpressure.ts) and the HTTP routes (routes/). Listening,
// and a shutdown that closes sockets with 1001 in batches.
import uWS from 'uWebSockets.js';
import type { TemplatedApp, WebSocket, us_listen_socket } from 'uWebSockets.js';
import type { Identity } from '../auth/authenticator.js';
import type { AuthRouter } from '../auth/router.js';
import type { Hub } from '../hub/hub.js';
import { CLOSE } from '../protocol/frames.js';
import { StartupCodes, StartupError } from '../diagnostics/startup.js';
import { Backpressure, type BackpressureLimits } from './backpressure.js';
import { Outbox } from './outbox.js';
import { Sessions, type SessionLimits } from './session.js';
import { makeUpgrade, type UpgradeLimits } from './upgrade.js';
import type { Route } from './routes/index.js';
import type { ServerEvents, SocketData } from './socket.js';

export interface ServerConfig extends SessionLimits, BackpressureLimits, UpgradeLimits {
  host: string;
  port: number;
  path: string;
  idleTimeout: number;
}

export interface ServerDeps {
  hub: Hub;
  authenticate: AuthRouter;
  events: ServerEvents;
  /** Scale-out: make sure pushes for this identity reach this node; resolves to its release. */
  hold: ((identity: Identity) => Promise<() => void>) | null;
  routes: readonly Route[];
}

export interface GatewayServer {
  port: number;
  /** Stops accepting, then closes every socket with 1001 in batches. */
  close(): Promise<void>;
  /** Runs `fn` (deliveries from a broker, a timer) and then enforces the process-wide budget. */
  batch(fn: () => void): void;
}

/** Client frames up to this size reach `message` (and get 1009 there); uWS drops bigger ones itself. */
const LARGEST_FRAME_READ = 16 * 1024 * 1024;

/** Sockets closed per turn of the event loop during shutdown. */
const CLOSE_BATCH = 500;

/** uWS's ListenOptions.LIBUS_LISTEN_EXCLUSIVE_PORT (a const enum in its typings). */
const LIBUS_LISTEN_EXCLUSIVE_PORT = 1;

function portTaken(host: string, port: number): StartupError {
  return StartupError.of(
    StartupCodes.PortTaken,
    `${host}:${port}`,
    'cannot listen: the port is taken (another program or another Herald) or the address is not this machine\'s; pick another with HERALD_WEBSOCKET__PORT=<port> or [WEBSOCKET] port',
  );
}

function listen(app: TemplatedApp, host: string, port: number): Promise<us_listen_socket> {
  // Exclusive: without it uWS sets SO_REUSEPORT and a second gateway would silently share the port.
  // The native listen takes (host, port, options, cb); the package's typings omit that form.
  const exclusive = app.listen.bind(app) as unknown as (host: string, port: number, options: number, cb: (ls: us_listen_socket | false) => void) => void;
  return new Promise((resolve, reject) => exclusive(host, port, LIBUS_LISTEN_EXCLUSIVE_PORT, (ls) => (ls ? resolve(ls) : reject(portTaken(host, port)))));
}

async function closeAll(sockets: Set<WebSocket<SocketData>>): Promise<void> {
  const all = [...sockets];
  for (let i = 0; i < all.length; i += CLOSE_BATCH) {
    for (const ws of all.slice(i, i + CLOSE_BATCH)) {
      const d = ws.getUserData();
      if (d.closed) continue;
      d.closed = true;
      ws.cork(() => ws.end(CLOSE.shutdown.code, CLOSE.shutdown.reason));
    }
    await new Promise((r) => setImmediate(r));
  }
}

export async function startServer(cfg: ServerConfig, deps: ServerDeps): Promise<GatewayServer> {
  const app: TemplatedApp = uWS.App();
  const sockets = new Set<WebSocket<SocketData>>();
  let stopping = false;
  // The two refer to each other: a slow socket leaves its session; a session sends through backpressure.
  let sessions: Sessions | null = null;
  const backpressure = new Backpressure(cfg, deps.events, (ws) => sessions?.leave(ws));
  const out = new Outbox(backpressure);
  sessions = new Sessions({ limits: cfg, hub: deps.hub, authenticate: deps.authenticate, events: deps.events, out, hold: deps.hold });
  const live = sessions;

  app.ws<SocketData>(cfg.path, {
    compression: uWS.DISABLED,
    // Frames up to LARGEST_FRAME_READ reach `message` and are closed there with 1009 as the
    // protocol says; beyond that uWS drops the connection itself (1006) without buffering more.
    maxPayloadLength: Math.max(cfg.maxFrameBytes + 1, LARGEST_FRAME_READ),
    idleTimeout: cfg.idleTimeout,
    sendPingsAutomatically: true,
    // Herald closes with 4009 itself at max_backpressure; uWS's own limit is only a backstop.
    maxBackpressure: cfg.maxBackpressure * 4 + 65536,
    closeOnBackpressureLimit: 0, // typed as a number in this package's typings: 0 = false
    upgrade: makeUpgrade({ limits: cfg, authenticate: deps.authenticate, events: deps.events, state: () => ({ sockets: sockets.size, stopping }) }),
    open: (ws) => {
      sockets.add(ws);
      live.open(ws);
    },
    message: (ws, message) => live.message(ws, message),
    drain: (ws) => backpressure.drained(ws),
    close: (ws) => {
      sockets.delete(ws);
      out.forget(ws);
      backpressure.forget(ws);
      live.closed(ws);
    },
  });
  for (const r of deps.routes) app[r.method](r.pattern, r.handle);

  let listenSocket: us_listen_socket | null = await listen(app, cfg.host, cfg.port);
  return {
    port: uWS.us_socket_local_port(listenSocket),
    batch(fn) {
      fn();
      backpressure.enforceBudget();
    },
    async close() {
      stopping = true;
      if (listenSocket) uWS.us_listen_socket_close(listenSocket);
      listenSocket = null;
      await closeAll(sockets);
    },
  };
}
