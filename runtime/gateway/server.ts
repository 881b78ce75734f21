// The uWebSockets.js server: upgrade checks (path, query-string tokens, Origin, limits),
// authentication (Bearer header or first frame), resume, per-socket and process-wide
// backpressure, and the HTTP routes beside the socket (websocket.md). Socket state lives in the
// upgrade user data; every use after an await checks `closed` (websocket.md §6).
import uWS from 'uWebSockets.js';
import type { HttpRequest, HttpResponse, TemplatedApp, WebSocket, us_listen_socket } from 'uWebSockets.js';
import { timingSafeEqual } from 'node:crypto';
import type { WebSocketConfig } from './config.js';
import type { Hub, Connection } from './hub.js';
import type { AuthOutcome, Identity, Verifier } from './auth.js';
import type { Metrics } from './metrics.js';
import type { Logger } from './log.js';
import { LIVE_PAGE } from './live-page.js';
import { INGEST_BODY_LIMIT, type Ingest } from './ingest.js';
import { StartupCodes, StartupError } from '../diagnostics/startup.js';

export const SUBPROTOCOL = 'herald.v1';

interface SocketData {
  closed: boolean;
  /** uWS reported the close: the socket object must not be touched any more. */
  gone: boolean;
  state: 'pending' | 'authenticating' | 'ready';
  preAuth: AuthOutcome | null;
  identity: Identity | null;
  conn: Connection | null;
  /** Scale-out: gives back the push bindings this socket holds. */
  release: (() => void) | null;
  badFrames: number;
  /** Closed for backpressure, its 4009 waiting for the backlog to drain. */
  slowClosing: boolean;
  timers: NodeJS.Timeout[];
}

export interface ServerHooks {
  /** POST /v1/notifications (the body, or null when over INGEST_BODY_LIMIT); null when ingest is disabled. */
  ingest: Ingest | null;
  ready(): { ok: boolean; why: string };
  /** Issues development tokens (embedded mode with no key configured only). */
  devToken: ((sub: string, projects: string[]) => Promise<string>) | null;
  /** Scale-out: make sure pushes for this identity reach this node; resolves to its release. */
  hold: ((identity: Identity) => Promise<() => void>) | null;
}

export interface GatewayServer {
  port: number;
  /** Stops accepting, then closes every socket with 1001 in batches. */
  close(): Promise<void>;
  /** Runs `fn` corked on every socket it sends to (AMQP deliveries, timers). */
  batch(fn: () => void): void;
}

/** uWS's ListenOptions.LIBUS_LISTEN_EXCLUSIVE_PORT (a const enum in its typings). */
const LIBUS_LISTEN_EXCLUSIVE_PORT = 1;

function portTaken(host: string, port: number): StartupError {
  return StartupError.of(
    StartupCodes.PortTaken,
    `${host}:${port}`,
    `cannot listen: the port is taken (another program or another Herald) or the address is not this machine's; pick another with HERALD_WEBSOCKET__PORT=<port> or [WEBSOCKET] port`,
  );
}

const STATUS_TEXT: Record<number, string> = { 200: 'OK', 400: 'Bad Request', 413: 'Payload Too Large' };

const TOKEN_IN_QUERY = /(^|&)(token|access_token|jwt|auth|authorization|bearer)=/i;
const BAD_FRAME_LIMIT = 3;
/** How long a socket closed for backpressure may take to drain before it is dropped. */
const SLOW_CLOSE_GRACE_MS = 2000;
/** Client frames up to this size reach `message` (and get 1009 there); uWS drops bigger ones itself (1006). */
const LARGEST_FRAME_READ = 16 * 1024 * 1024;

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function requestedProtocol(header: string): string {
  return header
    .split(',')
    .map((p) => p.trim())
    .includes(SUBPROTOCOL)
    ? SUBPROTOCOL
    : '';
}

/** What the client should have sent instead, in the state the socket is in. */
function badFrameMessage(state: SocketData['state'], type: unknown): string {
  if (state === 'pending') return 'expected {"type":"auth","token":…} or {"type":"ping"}';
  if (state === 'authenticating') return type === 'auth' ? 'authentication already in progress' : 'authentication in progress: only {"type":"ping"} until ready';
  return type === 'auth' ? 'already authenticated' : 'authenticated: the only client frame is {"type":"ping"}';
}

export function startServer(cfg: WebSocketConfig, hub: Hub, verify: Verifier, metrics: Metrics, log: Logger, hooks: ServerHooks): Promise<GatewayServer> {
  const app: TemplatedApp = uWS.App();
  const sockets = new Set<WebSocket<SocketData>>();
  const backpressured = new Set<WebSocket<SocketData>>();
  let listenSocket: us_listen_socket | null = null;
  let stopping = false;

  const frameOf = (o: Record<string, unknown>): string => JSON.stringify(o);

  function send(ws: WebSocket<SocketData>, frame: string): void {
    const d = ws.getUserData();
    if (d.closed) return;
    const status = ws.send(frame, false, false);
    if (status === 2) {
      slowClose(ws, 'send dropped by the socket layer');
      return;
    }
    if (status === 1) return; // written out: nothing buffered
    backpressured.add(ws);
    if (ws.getBufferedAmount() > cfg.maxBackpressure) slowClose(ws, `more than max_backpressure (${cfg.maxBackpressure}) bytes unsent`);
  }

  function slowClose(ws: WebSocket<SocketData>, why: string): void {
    const d = ws.getUserData();
    if (d.closed) return;
    metrics.slowClosed.inc();
    log.warn({ user: d.identity?.user, why }, 'slow consumer closed');
    d.closed = true;
    d.slowClosing = true;
    backpressured.delete(ws);
    release(d);
    // Not end() yet: once ended, uWS hands the socket no more to us, and a client that never reads
    // keeps it (and MBs queued) for good. The 4009 goes out when the backlog drains (see drain);
    // a client still stuck after the grace period loses the socket outright.
    if (ws.getBufferedAmount() === 0) return endSlow(ws);
    d.timers.push(
      setTimeout(() => {
        if (d.gone) return;
        log.warn({ user: d.identity?.user }, 'slow consumer never drained: socket dropped');
        ws.close();
      }, SLOW_CLOSE_GRACE_MS),
    );
  }

  /** The socket leaves the hub (and, scale-out, its push bindings): nothing more is sent to it. */
  function release(d: SocketData): void {
    if (d.conn) {
      hub.detach(d.conn);
      metrics.connections.dec();
      d.conn = null;
    }
    d.release?.();
    d.release = null;
  }

  function endSlow(ws: WebSocket<SocketData>): void {
    ws.getUserData().slowClosing = false;
    ws.end(4009, 'slow consumer: resume to catch up');
  }

  /** The process-wide budget: while the sockets behind exceed it, close the worst first. */
  function enforceBudget(): void {
    if (!backpressured.size) return;
    let total = 0;
    for (const ws of backpressured) total += ws.getBufferedAmount();
    if (total <= cfg.maxBufferedBytes) return;
    const worst = [...backpressured].sort((a, b) => b.getBufferedAmount() - a.getBufferedAmount());
    for (const ws of worst) {
      if (total <= cfg.maxBufferedBytes) break;
      total -= ws.getBufferedAmount();
      slowClose(ws, `process-wide max_buffered_bytes (${cfg.maxBufferedBytes}) exceeded`);
    }
  }

  function fail(ws: WebSocket<SocketData>, outcome: Exclude<AuthOutcome, { ok: true }>): void {
    const d = ws.getUserData();
    metrics.authFailures.inc({ code: outcome.code });
    send(ws, frameOf({ type: 'error', code: outcome.code, message: outcome.message }));
    d.closed = true;
    ws.end(outcome.code === 'token_expired' ? 4003 : 4001, outcome.message);
  }

  function clientError(ws: WebSocket<SocketData>, code: string, message: string, closeCode?: number): void {
    send(ws, frameOf({ type: 'error', code, message }));
    if (closeCode) {
      ws.getUserData().closed = true;
      ws.end(closeCode, message);
    }
  }

  function attach(ws: WebSocket<SocketData>, identity: Identity, resume: { epoch: string; seq: number } | null): void {
    const d = ws.getUserData();
    if (hub.connectionCount(identity.user) >= cfg.maxConnectionsPerUser) {
      clientError(ws, 'too_many_connections', `more than max_connections_per_user (${cfg.maxConnectionsPerUser})`, 4008);
      return;
    }
    d.identity = identity;
    d.state = 'ready';
    // Pushes arrive from AMQP callbacks and timers: cork each send (websocket.md §6).
    d.conn = { user: identity.user, send: (frame) => void ws.cork(() => send(ws, frame)) };
    let resumed = false;
    if (resume) {
      const outcome = hub.resume(identity.user, resume.epoch, resume.seq);
      metrics.replays.inc({ outcome: outcome.kind });
      if (outcome.kind === 'resumed') {
        resumed = true;
        for (const f of outcome.frames) send(ws, f);
      } else send(ws, frameOf({ type: 'reset', reason: outcome.reason }));
    }
    hub.attach(d.conn, identity.projects);
    metrics.connections.inc();
    send(ws, frameOf({ type: 'ready', user: identity.user, epoch: hub.epoch, seq: hub.seqOf(identity.user), resumed }));
    const ttl = identity.expiresAt - Date.now();
    d.timers.push(
      setTimeout(
        () => {
          if (d.closed) return;
          ws.cork(() => fail(ws, { ok: false, code: 'token_expired', message: 'token expired: authenticate again and resume' }));
        },
        Math.max(0, Math.min(ttl, 2 ** 31 - 1)),
      ),
    );
  }

  /** Authenticated: (scale-out: bind first, so no push can fall between ready and the binding) attach. */
  function admit(ws: WebSocket<SocketData>, identity: Identity, resume: { epoch: string; seq: number } | null): void {
    const d = ws.getUserData();
    if (!hooks.hold) return attach(ws, identity, resume);
    d.state = 'authenticating';
    void hooks.hold(identity).then((release) => {
      if (d.closed) return release();
      d.release = release;
      ws.cork(() => attach(ws, identity, resume));
    });
  }

  function onClientFrame(ws: WebSocket<SocketData>, text: string): void {
    const d = ws.getUserData();
    let frame: unknown;
    try {
      frame = JSON.parse(text);
    } catch {
      frame = null;
    }
    const type = frame && typeof frame === 'object' ? (frame as { type?: unknown }).type : undefined;
    if (type === 'ping') {
      send(ws, '{"type":"pong"}');
      return;
    }
    if (type === 'auth' && d.state === 'pending') {
      const { token, resume } = frame as { token?: unknown; resume?: unknown };
      if (typeof token !== 'string') {
        fail(ws, { ok: false, code: 'auth_failed', message: 'auth frame needs a string token' });
        return;
      }
      let from: { epoch: string; seq: number } | null = null;
      if (resume && typeof resume === 'object') {
        const r = resume as { epoch?: unknown; seq?: unknown };
        if (typeof r.epoch === 'string' && typeof r.seq === 'number') from = { epoch: r.epoch, seq: r.seq };
      }
      d.state = 'authenticating';
      void verify(token).then((outcome) => {
        if (d.closed) return;
        ws.cork(() => (outcome.ok ? admit(ws, outcome.identity, from) : fail(ws, outcome)));
      });
      return;
    }
    d.badFrames++;
    clientError(ws, 'bad_frame', badFrameMessage(d.state, type), d.badFrames >= BAD_FRAME_LIMIT ? 4002 : undefined);
  }

  function refuse(res: HttpResponse, status: string, message: string): void {
    res.cork(() => res.writeStatus(status).writeHeader('content-type', 'application/json').end(JSON.stringify({ error: message })));
  }

  function originAllowed(origin: string, host: string): boolean {
    if (origin === '') return true; // not a browser
    if (cfg.allowedOrigins.includes(origin)) return true;
    // The live page served by this very gateway.
    return origin === `http://${host}` || origin === `https://${host}`;
  }

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
    upgrade: (res: HttpResponse, req: HttpRequest, context) => {
      const query = req.getQuery() ?? '';
      const origin = req.getHeader('origin');
      const host = req.getHeader('host');
      const authorization = req.getHeader('authorization');
      const key = req.getHeader('sec-websocket-key');
      // No subprotocol offered (non-browser clients): accepted; offered, it must include herald.v1.
      const offered = req.getHeader('sec-websocket-protocol');
      const protocol = requestedProtocol(offered);
      const extensions = req.getHeader('sec-websocket-extensions');
      if (stopping) return refuse(res, '503 Service Unavailable', 'shutting down');
      if (TOKEN_IN_QUERY.test(query)) {
        metrics.authFailures.inc({ code: 'token_in_query' });
        return refuse(res, '400 Bad Request', 'tokens in the query string are refused: use the Authorization header or an auth frame');
      }
      if (!originAllowed(origin, host)) {
        metrics.authFailures.inc({ code: 'origin_refused' });
        return refuse(res, '403 Forbidden', `origin ${origin} is not allowed`);
      }
      if (offered !== '' && protocol === '') return refuse(res, '400 Bad Request', `subprotocol ${SUBPROTOCOL} is the one this server speaks (offered: ${offered.slice(0, 100)})`);
      if (sockets.size >= cfg.maxConnections) return refuse(res, '503 Service Unavailable', 'connection limit reached');
      const data = (preAuth: AuthOutcome | null): SocketData => ({ closed: false, gone: false, state: 'pending', preAuth, identity: null, conn: null, release: null, badFrames: 0, slowClosing: false, timers: [] });
      if (!authorization.toLowerCase().startsWith('bearer ')) {
        res.upgrade(data(null), key, protocol, extensions, context);
        return;
      }
      let aborted = false;
      res.onAborted(() => (aborted = true));
      void verify(authorization.slice(7).trim()).then((outcome) => {
        if (aborted) return;
        res.cork(() => res.upgrade(data(outcome), key, protocol, extensions, context));
      });
    },
    open: (ws) => {
      const d = ws.getUserData();
      sockets.add(ws);
      if (d.preAuth) {
        if (d.preAuth.ok) admit(ws, d.preAuth.identity, null);
        else fail(ws, d.preAuth);
        return;
      }
      d.timers.push(
        setTimeout(() => {
          if (d.closed || d.state === 'ready') return;
          ws.cork(() => fail(ws, { ok: false, code: 'auth_failed', message: `no auth frame within ${cfg.authTimeout} s` }));
        }, cfg.authTimeout * 1000),
      );
    },
    message: (ws, message) => {
      const d = ws.getUserData();
      if (d.closed) return;
      if (message.byteLength > cfg.maxFrameBytes) {
        d.closed = true;
        ws.end(1009, `frame over max_frame_bytes (${cfg.maxFrameBytes})`);
        return;
      }
      onClientFrame(ws, Buffer.from(message).toString('utf8'));
    },
    drain: (ws) => {
      if (ws.getBufferedAmount() !== 0) return;
      backpressured.delete(ws);
      if (ws.getUserData().slowClosing) endSlow(ws);
    },
    close: (ws) => {
      const d = ws.getUserData();
      d.closed = true;
      d.gone = true;
      sockets.delete(ws);
      backpressured.delete(ws);
      for (const t of d.timers) clearTimeout(t);
      release(d);
    },
  });

  app.get('/healthz', (res) => {
    res.cork(() => res.writeHeader('content-type', 'text/plain').end('ok\n'));
  });
  app.get('/readyz', (res) => {
    const r = hooks.ready();
    res.cork(() => res.writeStatus(r.ok ? '200 OK' : '503 Service Unavailable').writeHeader('content-type', 'text/plain').end(r.why + '\n'));
  });
  app.get('/metrics', (res) => {
    let aborted = false;
    res.onAborted(() => (aborted = true));
    void metrics.registry.metrics().then((text) => {
      if (!aborted) res.cork(() => res.writeHeader('content-type', metrics.registry.contentType).end(text));
    });
  });
  app.get('/', (res) => {
    res.cork(() => res.writeHeader('content-type', 'text/html; charset=utf-8').writeHeader('content-security-policy', "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self' ws: wss:").end(LIVE_PAGE));
  });

  /** Reads a request body up to `limit` bytes, then calls `done` (null when too big). */
  function readRequestBody(res: HttpResponse, limit: number, done: (body: Buffer | null) => void): void {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    let aborted = false;
    res.onAborted(() => (aborted = true));
    res.onData((chunk, isLast) => {
      if (aborted) return;
      size += chunk.byteLength;
      if (size > limit) over = true;
      else chunks.push(Buffer.from(chunk.slice(0)));
      if (isLast && !aborted) done(over ? null : Buffer.concat(chunks));
    });
  }

  app.post('/v1/notifications', (res, req) => {
    const authorization = req.getHeader('authorization');
    if (!hooks.ingest) return refuse(res, '404 Not Found', 'ingest is disabled: set ingest_token in [WEBSOCKET]');
    if (cfg.ingestToken !== null && !safeEqual(authorization, `Bearer ${cfg.ingestToken}`)) return refuse(res, '401 Unauthorized', 'ingest needs Authorization: Bearer <ingest_token>');
    const ingest = hooks.ingest;
    readRequestBody(res, INGEST_BODY_LIMIT, (body) => {
      const r = ingest(body);
      res.cork(() => res.writeStatus(`${r.status} ${STATUS_TEXT[r.status] ?? ''}`).writeHeader('content-type', 'application/json').end(r.body));
    });
  });

  app.post('/v1/dev-token', (res) => {
    if (!hooks.devToken) return refuse(res, '404 Not Found', 'development tokens exist only in embedded mode with no JWT key configured');
    const devToken = hooks.devToken;
    readRequestBody(res, 4096, (body) => {
      let sub = '';
      let projects: string[] = [];
      try {
        const o = JSON.parse(body?.toString('utf8') ?? '') as { sub?: unknown; projects?: unknown };
        if (typeof o.sub === 'string') sub = o.sub;
        if (Array.isArray(o.projects)) projects = o.projects.filter((p): p is string => typeof p === 'string');
      } catch {
        // fall through to the error below
      }
      if (!sub) return refuse(res, '400 Bad Request', 'send {"sub": "<user id>", "projects": [...]}');
      void devToken(sub, projects).then((token) => res.cork(() => res.writeHeader('content-type', 'application/json').end(JSON.stringify({ token }))));
    });
  });

  app.any('/*', (res) => refuse(res, '404 Not Found', 'no such route'));

  return new Promise((resolve, reject) => {
    // Exclusive: without it uWS sets SO_REUSEPORT and a second gateway would silently share the port.
    // The native listen takes (host, port, options, cb); the package's typings omit that form.
    const listen = app.listen.bind(app) as unknown as (host: string, port: number, options: number, cb: (ls: us_listen_socket | false) => void) => void;
    listen(cfg.host, cfg.port, LIBUS_LISTEN_EXCLUSIVE_PORT, (ls) => {
      if (!ls) {
        reject(portTaken(cfg.host, cfg.port));
        return;
      }
      listenSocket = ls;
      resolve({
        port: uWS.us_socket_local_port(ls),
        batch(fn) {
          fn();
          enforceBudget();
        },
        async close() {
          stopping = true;
          if (listenSocket) uWS.us_listen_socket_close(listenSocket);
          listenSocket = null;
          // Close in batches so a large node does not stall the loop in one go.
          const all = [...sockets];
          for (let i = 0; i < all.length; i += 500) {
            for (const ws of all.slice(i, i + 500)) {
              const d = ws.getUserData();
              if (d.closed) continue;
              d.closed = true;
              ws.cork(() => ws.end(1001, 'server shutting down'));
            }
            await new Promise((r) => setImmediate(r));
          }
        },
      });
    });
  });
}
