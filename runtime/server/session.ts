// One socket's life after the upgrade: authentication (a header credential checked during the
// upgrade, or the first frame within auth_timeout), admission (scale-out bindings first, the
// per-user limit, resume, `ready`), a fresh credential on an open socket (it re-scopes the
// socket), expiry and revocation, bad frames, and the cleanup on close. A token lives only in
// local variables here: never in logs, metrics or frames.
import type { AuthFailure, Authenticator, Identity } from '../auth/authenticator.js';
import type { AuthRouter, Routed } from '../auth/router.js';
import type { Connection, Hub } from '../hub/hub.js';
import { CLOSE, closeForAuth, errorFrame, PONG, readClientFrame, readyFrame, resetFrame, type CloseKind, type ErrorCode, type ResumeFrom } from '../protocol/frames.js';
import { ExpiryWatch } from './expiry.js';
import type { Outbox } from './outbox.js';
import { armDeadline, clearDeadline, type ServerEvents, type Sock } from './socket.js';

export interface SessionLimits {
  authTimeout: number;
  maxFrameBytes: number;
  maxConnectionsPerUser: number;
}

export interface SessionDeps {
  limits: SessionLimits;
  hub: Hub;
  authenticate: AuthRouter;
  events: ServerEvents;
  /** Push frames are queued (one write per socket per turn); others are sent at once. */
  out: Outbox;
  /** Scale-out: make sure pushes for this identity reach this node; resolves to its release. */
  hold: ((identity: Identity) => Promise<() => void>) | null;
}

const BAD_FRAME_LIMIT = 3;

/**
 * A socket as the hub sees it. A class rather than an object with a closure: one is held per
 * idle connection, and a closure (with its context, and the `name` property tsx's keepNames gives
 * it, which turns the function into a dictionary object) costs ~350 bytes more.
 */
class QueuedConnection implements Connection {
  constructor(
    readonly user: string,
    private readonly ws: Sock,
    private readonly out: Outbox,
  ) {}

  send(frame: string): void {
    this.out.queue(this.ws, frame);
  }
}
export class Sessions {
  private readonly expiry: ExpiryWatch;

  constructor(private readonly deps: SessionDeps) {
    this.expiry = new ExpiryWatch((ws) => {
      if (!ws.getUserData().closed) ws.cork(() => this.fail(ws, { ok: false, code: 'token_expired', message: 'token expired: authenticate again and resume' }));
    });
  }

  /** The socket is open: a header credential is decided now, otherwise an auth frame is awaited. */
  open(ws: Sock): void {
    const d = ws.getUserData();
    if (d.preAuth) {
      const { routed, token } = d.preAuth;
      d.preAuth = null;
      return this.decide(ws, routed, null, token);
    }
    armDeadline(d, this.deps.limits.authTimeout * 1000, () => {
      if (d.closed || d.state !== 'pending') return;
      ws.cork(() => this.fail(ws, { ok: false, code: 'auth_failed', message: `no auth frame within ${this.deps.limits.authTimeout} s` }));
    });
  }

  message(ws: Sock, message: ArrayBuffer): void {
    const d = ws.getUserData();
    if (d.closed) return;
    if (message.byteLength > this.deps.limits.maxFrameBytes) return this.close(ws, 'frameTooBig', `frame over max_frame_bytes (${this.deps.limits.maxFrameBytes})`);
    const frame = readClientFrame(Buffer.from(message).toString('utf8'));
    if (frame.type === 'ping') return this.deps.out.send(ws, PONG);
    if (frame.type === 'auth' && frame.token === null) {
      if (d.state === 'pending') return this.fail(ws, { ok: false, code: 'auth_failed', message: 'auth frame needs a string token' });
      return this.badFrame(ws, 'auth frame needs a string token');
    }
    if (frame.type === 'auth' && frame.token !== null && d.state !== 'authenticating') return this.authenticate(ws, frame.token, frame.resume);
    this.badFrame(ws, d.state === 'authenticating' ? 'authentication in progress: wait for ready' : d.state === 'ready' ? 'expected {"type":"ping"} or a fresh {"type":"auth","token":…}' : 'expected {"type":"auth","token":…} or {"type":"ping"}');
  }

  private authenticate(ws: Sock, token: string, resume: ResumeFrom | null): void {
    const d = ws.getUserData();
    const refresh = d.state === 'ready';
    d.state = 'authenticating';
    void this.deps.authenticate(token).then((routed) => {
      if (d.closed) return;
      ws.cork(() => this.decide(ws, routed, refresh ? null : resume, token));
    });
  }

  private decide(ws: Sock, routed: Routed, resume: ResumeFrom | null, token: string): void {
    const d = ws.getUserData();
    if (!routed.outcome.ok) return this.fail(ws, routed.outcome);
    const identity = routed.outcome.identity;
    if (d.conn && d.conn.user !== identity.user) return this.fail(ws, { ok: false, code: 'auth_failed', message: 'a fresh token must be for the same user' });
    if (!this.deps.hold) return this.admit(ws, identity, routed.by, token, resume);
    void this.deps.hold(identity).then(
      (release) => {
        if (d.closed) return release();
        const previous = d.release;
        d.release = release;
        ws.cork(() => this.admit(ws, identity, routed.by, token, resume));
        previous?.();
      },
      () => {
        if (!d.closed) ws.cork(() => this.fail(ws, { ok: false, code: 'auth_unavailable', message: 'push bus unavailable: try again later' }));
      },
    );
  }

  /** Authenticated (and, in scale-out, bound): limit, resume, attach, `ready`, expiry, watch. */
  private admit(ws: Sock, identity: Identity, by: Authenticator | null, token: string, resume: ResumeFrom | null): void {
    const d = ws.getUserData();
    const { hub, limits, events, out } = this.deps;
    if (!d.conn && hub.connectionCount(identity.user) >= limits.maxConnectionsPerUser) return this.refuse(ws, 'too_many_connections', 'tooManyConnections', `more than max_connections_per_user (${limits.maxConnectionsPerUser})`);
    d.state = 'ready';
    clearDeadline(d);
    // Pushes arrive from broker callbacks and timers: they wait in the outbox, which corks each
    // socket once per turn (websocket.md §6).
    d.conn ??= new QueuedConnection(identity.user, ws, out);
    let resumed = false;
    if (resume) {
      const outcome = hub.resume(identity.user, identity.projects, resume.epoch, resume.seq);
      events.replay(outcome.kind);
      if (outcome.kind === 'resumed') {
        resumed = true;
        for (const f of outcome.frames) out.send(ws, f);
      } else out.send(ws, resetFrame(outcome.reason));
    }
    const fresh = !hub.isAttached(d.conn);
    const at = hub.attach(d.conn, identity.projects);
    if (fresh) events.connected();
    out.send(ws, readyFrame({ user: identity.user, epoch: at.epoch, seq: at.seq, resumed, projects: at.projects }));
    this.expiry.watch(ws, identity.expiresAt);
    d.unwatch?.();
    d.unwatch = by?.watch ? by.watch(token, (failure) => void (d.closed || ws.cork(() => this.fail(ws, failure)))) : null;
  }

  private fail(ws: Sock, failure: AuthFailure): void {
    this.deps.events.refused(failure.code);
    this.refuse(ws, failure.code, closeForAuth(failure.code), failure.message);
  }

  private refuse(ws: Sock, code: ErrorCode, close: CloseKind, message: string): void {
    this.deps.out.send(ws, errorFrame(code, message));
    this.close(ws, close, message);
  }

  private badFrame(ws: Sock, message: string): void {
    const d = ws.getUserData();
    d.badFrames++;
    this.deps.out.send(ws, errorFrame('bad_frame', message));
    if (d.badFrames >= BAD_FRAME_LIMIT) this.close(ws, 'badFrames', CLOSE.badFrames.reason);
  }

  private close(ws: Sock, kind: CloseKind, message: string): void {
    const d = ws.getUserData();
    if (d.closed) return;
    d.closed = true;
    // A close reason is at most 123 bytes.
    ws.end(CLOSE[kind].code, Buffer.from(message).subarray(0, 123).toString());
  }

  /** The socket leaves the hub, its token's watch and its push bindings: nothing more is sent to it. */
  leave(ws: Sock): void {
    const d = ws.getUserData();
    this.expiry.forget(ws);
    if (d.conn && this.deps.hub.isAttached(d.conn)) {
      this.deps.hub.detach(d.conn);
      this.deps.events.disconnected();
    }
    d.unwatch?.();
    d.unwatch = null;
    d.release?.();
    d.release = null;
  }

  /** uWS reported the close: nothing may touch the socket any more. */
  closed(ws: Sock): void {
    const d = ws.getUserData();
    d.closed = true;
    d.gone = true;
    clearDeadline(d);
    this.leave(ws);
  }
}
