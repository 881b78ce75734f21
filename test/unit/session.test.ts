// A socket's life without a network: fake sockets (recording frames and closes), the real hub,
// the real auth router and small authenticators of our own interface.
import { describe, expect, it, vi } from 'vitest';
import type { AuthFailure, Authenticator, AuthOutcome } from '../../runtime/auth/authenticator.js';
import { routeAuth } from '../../runtime/auth/router.js';
import { Hub } from '../../runtime/hub/hub.js';
import { Backpressure } from '../../runtime/server/backpressure.js';
import { Outbox } from '../../runtime/server/outbox.js';
import { Sessions } from '../../runtime/server/session.js';
import { newSocketData, type ServerEvents, type SocketData, type Sock } from '../../runtime/server/socket.js';
import { chooseSubprotocol, headerCredential, originAllowed } from '../../runtime/server/upgrade.js';
import { HTTP_ERRORS, messageOf } from '../../runtime/server/errors.js';

interface Fake extends Sock {
  frames: Array<Record<string, unknown>>;
  closedWith: number | null;
  buffered: number;
}

function fakeSock(data: SocketData = newSocketData(null)): Fake {
  const s: Fake = {
    frames: [],
    closedWith: null,
    buffered: 0,
    getUserData: () => data,
    send: (m) => {
      s.frames.push(JSON.parse(m) as Record<string, unknown>);
      return s.buffered ? 0 : 1;
    },
    end: (code) => void (s.closedWith = code ?? 1000),
    close: () => void (s.closedWith ??= 1006),
    cork: (fn) => fn(),
    getBufferedAmount: () => s.buffered,
  };
  return s;
}

const bytes = (o: unknown) => new TextEncoder().encode(JSON.stringify(o)).buffer as ArrayBuffer;
const flush = () => new Promise((r) => setTimeout(r, 0));

function setup(answer: (token: string) => AuthOutcome, watch?: Authenticator['watch']) {
  const hub = new Hub({ replaySize: 8, replaySeconds: 60 }, () => 0, 'E');
  const counted: string[] = [];
  const events: ServerEvents = { refused: (c) => void counted.push(c), slowClosed: () => undefined, connected: () => undefined, disconnected: () => undefined, replay: () => undefined };
  const auth: Authenticator = { kind: 'test', claims: () => true, authenticate: async (t) => answer(t), ...(watch ? { watch } : {}) };
  let sessions: Sessions | null = null;
  const out = new Outbox(new Backpressure({ maxBackpressure: 100, maxBufferedBytes: 1000 }, events, (ws) => sessions?.leave(ws)));
  sessions = new Sessions({ limits: { authTimeout: 5, maxFrameBytes: 1024, maxConnectionsPerUser: 2 }, hub, authenticate: routeAuth([auth]), events, out, hold: null });
  return { hub, sessions, counted };
}

const ok = (user: string, projects: string[] = []): AuthOutcome => ({ ok: true, identity: { user, projects, expiresAt: Date.now() + 60_000, via: 'test' } });

describe('socket lifecycle', () => {
  it('a token that expires while the socket is open: token_expired, then close 4003, within a second', async () => {
    vi.useFakeTimers({ now: 1_000_000, toFake: ['Date', 'setInterval', 'clearInterval'] });
    try {
      const { sessions, hub, counted } = setup((t) => ({ ok: true, identity: { user: t, projects: [], expiresAt: Date.now() + 1500, via: 'test' } }));
      const ws = fakeSock();
      sessions.open(ws);
      sessions.message(ws, bytes({ type: 'auth', token: 'alice' }));
      await flush();
      vi.advanceTimersByTime(1000);
      expect(ws.closedWith).toBeNull();
      vi.advanceTimersByTime(1000);
      expect(ws.frames.at(-1)).toEqual({ type: 'error', code: 'token_expired', message: 'token expired: authenticate again and resume' });
      expect(ws.closedWith).toBe(4003);
      expect(counted).toEqual(['token_expired']);
      sessions.closed(ws);
      expect(hub.connectionCount('alice')).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });

  it('an auth frame admits the socket: ready with its stream position and scope', async () => {
    const { sessions } = setup((t) => ok(t, ['B', 'A']));
    const ws = fakeSock();
    sessions.open(ws);
    sessions.message(ws, bytes({ type: 'auth', token: 'alice' }));
    await flush();
    expect(ws.frames).toEqual([{ type: 'ready', user: 'alice', epoch: 'E.1', seq: 0, resumed: false, projects: ['A', 'B'] }]);
    // Admitted: the auth frame's deadline is gone (a fired timer held per socket is memory).
    expect(ws.getUserData().deadline).toBeNull();
    sessions.closed(ws);
  });

  it('auth_unavailable: an error frame with that code, then close 1013 (try again later)', async () => {
    const { sessions, counted } = setup(() => ({ ok: false, code: 'auth_unavailable', message: 'identity service down' }));
    const ws = fakeSock();
    sessions.open(ws);
    sessions.message(ws, bytes({ type: 'auth', token: 't' }));
    await flush();
    expect(ws.frames).toEqual([{ type: 'error', code: 'auth_unavailable', message: 'identity service down' }]);
    expect(ws.closedWith).toBe(1013);
    expect(counted).toEqual(['auth_unavailable']);
    sessions.closed(ws);
  });

  it('a watched token that ends closes the socket (4001, or 4003 when expired); closing unwatches', async () => {
    for (const [code, close] of [['auth_failed', 4001], ['token_expired', 4003]] as const) {
      const ends: Array<(f: AuthFailure) => void> = [];
      let unwatched = 0;
      const { sessions, hub } = setup(
        () => ok('erin'),
        (token, onEnd) => {
          expect(token).toBe('secret-token');
          ends.push(onEnd);
          return () => void unwatched++;
        },
      );
      const ws = fakeSock(newSocketData(null));
      sessions.open(ws);
      sessions.message(ws, bytes({ type: 'auth', token: 'secret-token' }));
      await flush();
      expect(ends).toHaveLength(1);
      ends[0]!({ ok: false, code, message: 'revoked' });
      expect(ws.closedWith).toBe(close);
      expect(ws.frames.at(-1)).toEqual({ type: 'error', code, message: 'revoked' });
      sessions.closed(ws);
      expect(unwatched).toBe(1);
      expect(hub.connectionCount('erin')).toBe(0);
      expect(JSON.stringify(ws.frames)).not.toContain('secret-token');
    }
  });

  it('a header credential checked at the upgrade is decided when the socket opens', async () => {
    const { sessions } = setup((t) => ok(t));
    const routed = await routeAuth([{ kind: 'x', claims: () => true, authenticate: async () => ok('bob') }])('tok');
    const ws = fakeSock(newSocketData({ routed, token: 'tok' }));
    sessions.open(ws);
    expect(ws.frames[0]).toMatchObject({ type: 'ready', user: 'bob' });
    expect(ws.getUserData().preAuth).toBeNull();
    sessions.closed(ws);
  });

  it('bad frames: an error that fits the state, the third closes with 4002; max_connections_per_user closes with 4008', async () => {
    const { sessions } = setup((t) => ok(t));
    const ws = fakeSock();
    sessions.open(ws);
    sessions.message(ws, bytes({ type: 'auth', token: 'carol' }));
    await flush();
    sessions.message(ws, bytes({ type: 'nope' }));
    expect(ws.frames.at(-1)).toMatchObject({ type: 'error', code: 'bad_frame', message: expect.stringContaining('ping') });
    sessions.message(ws, bytes('x'));
    sessions.message(ws, bytes(1));
    expect(ws.closedWith).toBe(4002);
    sessions.closed(ws);
    const tabs = [fakeSock(), fakeSock(), fakeSock()];
    for (const t of tabs) {
      sessions.open(t);
      sessions.message(t, bytes({ type: 'auth', token: 'dave' }));
    }
    await flush();
    expect(tabs.map((t) => t.closedWith)).toEqual([null, null, 4008]);
    expect(tabs[2]!.frames).toEqual([expect.objectContaining({ code: 'too_many_connections' })]);
    for (const t of tabs) sessions.closed(t);
  });

  it('a frame over max_frame_bytes closes with 1009', () => {
    const { sessions } = setup((t) => ok(t));
    const ws = fakeSock();
    sessions.open(ws);
    sessions.message(ws, new ArrayBuffer(2000));
    expect(ws.closedWith).toBe(1009);
    sessions.closed(ws);
  });
});

describe('backpressure', () => {
  it('a socket past max_backpressure leaves at once and gets 4009 once drained; the process budget picks the worst first', () => {
    const slow: string[] = [];
    const left: Fake[] = [];
    const bp = new Backpressure({ maxBackpressure: 100, maxBufferedBytes: 150 }, { slowClosed: (_u, why) => void slow.push(why) }, (ws) => void left.push(ws as Fake));
    const a = fakeSock();
    const b = fakeSock();
    a.buffered = 90;
    b.buffered = 80;
    bp.send(a, '{}');
    bp.send(b, '{}');
    expect(left).toEqual([]);
    bp.enforceBudget();
    // a is out of the hub now, nothing more is sent to it; its 4009 waits behind its backlog.
    expect(left).toEqual([a]);
    expect([a.closedWith, b.closedWith]).toEqual([null, null]);
    const framesBefore = a.frames.length;
    bp.send(a, '{}');
    expect(a.frames).toHaveLength(framesBefore);
    a.buffered = 0;
    bp.drained(a);
    expect(a.closedWith).toBe(4009);
    // b passes max_backpressure on its own.
    b.buffered = 101;
    bp.send(b, '{}');
    expect(left).toEqual([a, b]);
    b.buffered = 0;
    bp.drained(b);
    expect(b.closedWith).toBe(4009);
    expect(slow).toHaveLength(2);
  });
});

describe('upgrade helpers', () => {
  it('credentials from Authorization: Bearer first, then X-Auth-Token', () => {
    expect(headerCredential('Bearer abc', 'xyz')).toBe('abc');
    expect(headerCredential('', ' xyz ')).toBe('xyz');
    expect(headerCredential('Basic abc', '')).toBeNull();
  });

  it('subprotocol v2 preferred, v1 accepted, others not; origins', () => {
    expect(chooseSubprotocol('herald.v1, herald.v2')).toBe('herald.v2');
    expect(chooseSubprotocol('herald.v1')).toBe('herald.v1');
    expect(chooseSubprotocol('chat')).toBe('');
    expect(originAllowed([], '', 'h')).toBe(true);
    expect(originAllowed([], 'http://h:1', 'h:1')).toBe(true);
    expect(originAllowed(['https://portal'], 'https://evil', 'h')).toBe(false);
  });

  it('HTTP refusals come from the catalogue: unique codes, templates filled by name', () => {
    const codes = Object.values(HTTP_ERRORS).map((e) => e.code);
    expect(new Set(codes).size).toBe(codes.length);
    expect(messageOf(HTTP_ERRORS.originRefused, { origin: 'https://evil' })).toBe('origin https://evil is not allowed');
    expect(messageOf(HTTP_ERRORS.badDevTokenRequest)).toContain('{"sub"');
  });
});
