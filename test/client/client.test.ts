// herald-client against a scripted socket: the reconnect schedule (injected jitter and clock),
// resume, de-duplication, gap -> reset, close codes, liveness, online/offline and visibility.
import { describe, expect, it, vi } from 'vitest';
import { backoffDelay, HeraldClient, type ClientOptions, type StateChange } from '../../client/src/index.js';
import { FakeSocket, ManualClock, ScriptedEnvironment, settle } from './fakes.js';

function setup(o: Partial<ClientOptions> = {}) {
  FakeSocket.made = [];
  const clock = new ManualClock();
  const env = new ScriptedEnvironment();
  let minted = 0;
  const getToken = vi.fn(async () => `token-${++minted}`);
  const client = new HeraldClient({ url: 'ws://gw/ws', getToken, WebSocket: FakeSocket, clock, environment: env, random: () => 0.5, backoff: { baseMs: 100, maxMs: 1000 }, pingIntervalMs: 1000, pongTimeoutMs: 500, ...o });
  const log: string[] = [];
  const states: StateChange[] = [];
  client.on('push', (d, m) => log.push(`push ${m.seq} ${JSON.stringify(d)}`));
  client.on('reset', (r) => log.push(`reset: ${r}`));
  client.on('state', (s) => states.push(s));
  return { client, clock, env, getToken, log, states, sock: () => FakeSocket.made.at(-1)! };
}

type T = ReturnType<typeof setup>;

/** Lets the next socket open and answers its auth with `ready`. */
async function accept(t: T, ready: { epoch?: string; seq?: number; user?: string; resumed?: boolean } = {}): Promise<FakeSocket> {
  await settle();
  const s = t.sock();
  s.open();
  s.frame({ type: 'ready', user: ready.user ?? 'u1', epoch: ready.epoch ?? 'E1', seq: ready.seq ?? 0, resumed: ready.resumed ?? false });
  return s;
}

const push = (seq: number, n = seq) => ({ type: 'push', seq, data: { message_type: 'volume', message_event: 'STATES', message: { n } } });
const pushed = (t: T) => t.log.filter((l) => l.startsWith('push')).map((l) => Number(l.split(' ')[1]));
const delays = (t: T) => t.states.filter((s) => s.state === 'disconnected').map((s) => s.delayMs);

describe('back-off', () => {
  it('is capped exponential with full jitter', () => {
    expect([0, 1, 2, 3, 4, 5, 40].map((a) => backoffDelay(a, () => 0.999999, { baseMs: 100, maxMs: 1000 }))).toEqual([99, 199, 399, 799, 999, 999, 999]);
    expect(backoffDelay(3, () => 0, { baseMs: 100, maxMs: 1000 })).toBe(0);
    expect(backoffDelay(2, () => 0.25, { baseMs: 100, maxMs: 1000 })).toBe(100);
  });

  it('schedules retries by the injected random and clock, and starts over after a success', async () => {
    const t = setup();
    t.client.connect();
    for (let i = 0; i < 6; i++) {
      await settle();
      t.sock().serverClose(1006);
      const d = delays(t).at(-1)!;
      t.clock.advance(d - 1);
      await settle();
      expect(FakeSocket.made.length).toBe(i + 1); // not before its time
      t.clock.advance(1);
    }
    expect(delays(t)).toEqual([50, 100, 200, 400, 500, 500]);
    await accept(t);
    t.sock().serverClose(1006);
    expect(delays(t).at(-1)).toBe(50);
    expect(t.states.at(-1)).toMatchObject({ state: 'disconnected', code: 1006, willRetry: true });
  });
});

describe('resume and delivery', () => {
  it('authenticates with the token, then resumes from the last epoch and seq by itself', async () => {
    const t = setup();
    t.client.connect();
    const s1 = await accept(t);
    expect(s1.protocol).toBe('herald.v1');
    expect(s1.sent[0]).toEqual({ type: 'auth', token: 'token-1' });
    s1.frame(push(1));
    s1.frame(push(2));
    s1.serverClose(1006);
    t.clock.advance(1000);
    await settle();
    const s2 = t.sock();
    s2.open();
    expect(s2.sent[0]).toEqual({ type: 'auth', token: 'token-1', resume: { epoch: 'E1', seq: 2 } });
    expect(t.getToken).toHaveBeenCalledTimes(1);
  });

  it('never delivers a push twice: replayed and repeated frames are dropped', async () => {
    const t = setup();
    t.client.connect();
    const s1 = await accept(t);
    s1.frame(push(1));
    s1.frame(push(2));
    s1.serverClose(4009, 'slow consumer: resume to catch up');
    t.clock.advance(1000);
    await settle();
    const s2 = t.sock();
    s2.open();
    s2.frame(push(2)); // overlap
    s2.frame(push(3));
    s2.frame({ type: 'ready', user: 'u1', epoch: 'E1', seq: 3, resumed: true });
    s2.frame(push(3));
    s2.frame(push(4));
    expect(pushed(t)).toEqual([1, 2, 3, 4]);
    expect(t.log.some((l) => l.startsWith('reset'))).toBe(false);
    expect(t.client.state).toBe('connected');
  });

  it('turns a gap into reset before the push that shows it, and keeps going', async () => {
    const t = setup();
    t.client.connect();
    const s = await accept(t);
    s.frame(push(1));
    s.frame(push(4));
    s.frame(push(5));
    expect(t.log.map((l) => l.split(' {')[0])).toEqual(['push 1', 'reset: pushes 2..3 never arrived', 'push 4', 'push 5']);
  });

  it('a ready that reports more than was replayed is a gap too', async () => {
    const t = setup();
    t.client.connect();
    const s1 = await accept(t);
    s1.frame(push(1));
    s1.serverClose(1006);
    t.clock.advance(1000);
    await accept(t, { seq: 3, resumed: true });
    expect(t.log.at(-1)).toBe('reset: pushes 2..3 never arrived');
    expect(t.client.seq).toBe(3);
  });

  it('passes the gateway reset on (new epoch) and continues from the new position', async () => {
    const t = setup();
    t.client.connect();
    const s1 = await accept(t);
    s1.frame(push(1));
    s1.serverClose(1001, 'server shutting down');
    expect(t.states.at(-1)).toMatchObject({ code: 1001, willRetry: true });
    t.clock.advance(1000);
    await settle();
    const s2 = t.sock();
    s2.open();
    s2.frame({ type: 'reset', reason: 'epoch changed (the node restarted or the user moved): reload' });
    s2.frame({ type: 'ready', user: 'u1', epoch: 'E2', seq: 0, resumed: false });
    s2.frame(push(1, 10));
    expect(t.log.map((l) => l.split(' {')[0])).toEqual(['push 1', 'reset: epoch changed (the node restarted or the user moved): reload', 'push 1']);
    expect(t.client.epoch).toBe('E2');
  });

  it('a different user on the same client is a reset', async () => {
    const t = setup();
    t.client.connect();
    const s1 = await accept(t);
    s1.serverClose(1006);
    t.clock.advance(1000);
    await accept(t, { user: 'u2', resumed: true });
    expect(t.log).toEqual(['reset: user changed from u1 to u2']);
  });

  it('routes pushes by message_type and message_event', async () => {
    const t = setup();
    const got: string[] = [];
    t.client.route('volume', 'STATES', (_d, m) => got.push(`volume/STATES ${m.seq}`));
    t.client.route('server', '*', (_d, m) => got.push(`server/* ${m.seq}`));
    const stop = t.client.route('*', '*', (_d, m) => got.push(`*/* ${m.seq}`));
    t.client.connect();
    const s = await accept(t);
    s.frame(push(1));
    stop();
    s.frame({ type: 'push', seq: 2, rule: 'rules/settings.ini:26:23', data: { message_type: 'server', message_event: 'STATES' } });
    s.frame({ type: 'push', seq: 3, data: { message_type: 'network', message_event: 'STATES' } });
    expect(got).toEqual(['volume/STATES 1', '*/* 1', 'server/* 2']);
  });

  it('passes the rule location of a push frame on when the gateway sends one', async () => {
    const t = setup();
    const metas: unknown[] = [];
    t.client.on('push', (_d, m) => metas.push(m));
    t.client.connect();
    const s = await accept(t);
    s.frame({ type: 'push', seq: 1, rule: 'rules/settings.ini:50:23', data: {} });
    s.frame(push(2));
    expect(metas).toEqual([
      { seq: 1, epoch: 'E1', rule: 'rules/settings.ini:50:23' },
      { seq: 2, epoch: 'E1' },
    ]);
  });
});

describe('close codes', () => {
  it('4001: a fresh token before each retry, then gives up after repeated refusals', async () => {
    const t = setup({ maxRefusals: 3 });
    t.client.connect();
    for (let i = 1; i <= 3; i++) {
      await settle();
      const s = t.sock();
      s.open();
      expect(s.sent[0]).toMatchObject({ token: `token-${i}` });
      s.frame({ type: 'error', code: 'auth_failed', message: 'signature verification failed' });
      s.serverClose(4001, '');
      t.clock.advance(1000);
    }
    expect(t.states.at(-1)).toEqual({ state: 'disconnected', code: 4001, reason: 'signature verification failed', willRetry: false });
    await settle();
    t.clock.advance(60_000);
    await settle();
    expect(FakeSocket.made.length).toBe(3);
    expect(t.getToken).toHaveBeenCalledTimes(3);
  });

  it('4001 then success: the refusal count starts over', async () => {
    const t = setup({ maxRefusals: 2 });
    t.client.connect();
    await settle();
    t.sock().serverClose(4001);
    t.clock.advance(1000);
    const s = await accept(t);
    s.serverClose(4001);
    expect(t.states.at(-1)).toMatchObject({ willRetry: true });
  });

  it('4003: refreshes the token and resumes', async () => {
    const t = setup();
    t.client.connect();
    const s1 = await accept(t);
    s1.frame(push(1));
    s1.serverClose(4003, 'token expired: authenticate again and resume');
    t.clock.advance(1000);
    await settle();
    t.sock().open();
    expect(t.sock().sent[0]).toEqual({ type: 'auth', token: 'token-2', resume: { epoch: 'E1', seq: 1 } });
  });

  it('4003 again and again (getToken keeps handing out expired tokens): gives up', async () => {
    const t = setup({ maxRefusals: 3 });
    t.client.connect();
    for (let i = 0; i < 3; i++) {
      await settle();
      t.sock().open();
      t.sock().serverClose(4003, 'token expired');
      t.clock.advance(delays(t).at(-1) ?? 0);
    }
    expect(t.getToken).toHaveBeenCalledTimes(3);
    expect(t.states.at(-1)).toMatchObject({ code: 4003, willRetry: false });
  });

  it('a cached token that is about to expire is refreshed before connecting', async () => {
    const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const expiring = `${b64({ alg: 'HS256' })}.${b64({ sub: 'u1', exp: 2 })}.sig`;
    const tokens = [expiring, 'fresh'];
    const t = setup({ getToken: vi.fn(async () => tokens.shift()!) });
    t.client.connect();
    const s1 = await accept(t);
    expect(s1.sent[0]).toMatchObject({ token: expiring });
    s1.serverClose(1006);
    t.clock.advance(1000);
    await settle();
    t.sock().open();
    expect(t.sock().sent[0]).toMatchObject({ token: 'fresh', resume: { epoch: 'E1', seq: 0 } });
  });

  it('4008: backs off from a higher step and gives up after repeated refusals', async () => {
    const t = setup({ maxRefusals: 3 });
    t.client.connect();
    for (let i = 0; i < 3; i++) {
      await settle();
      t.sock().open();
      t.sock().serverClose(4008, 'more than max_connections_per_user (32)');
      t.clock.advance(delays(t).at(-1) ?? 0);
    }
    expect(delays(t)).toEqual([400, 500, undefined]);
    expect(t.states.at(-1)).toMatchObject({ code: 4008, willRetry: false });
  });

  it('4009, 1001, 1013 and 1006 reconnect; 4002 and 1009 give up', async () => {
    for (const code of [4009, 1001, 1013, 1006]) {
      const t = setup();
      t.client.connect();
      const s = await accept(t);
      s.serverClose(code);
      expect(t.states.at(-1)).toMatchObject({ code, willRetry: true });
      t.clock.advance(50);
      await settle();
      expect(FakeSocket.made.length).toBe(2);
    }
    for (const code of [4002, 1009]) {
      const t = setup();
      t.client.connect();
      const s = await accept(t);
      s.serverClose(code);
      expect(t.states.at(-1)).toMatchObject({ code, willRetry: false });
    }
  });

  it('getToken failing is retried with back-off', async () => {
    let calls = 0;
    const t = setup({
      getToken: async () => {
        if (++calls === 1) throw new Error('portal session lookup failed');
        return 'ok';
      },
    });
    t.client.connect();
    await settle();
    expect(t.states.at(-1)).toMatchObject({ state: 'disconnected', reason: 'getToken failed: portal session lookup failed', willRetry: true, delayMs: 50 });
    t.clock.advance(50);
    const s = await accept(t);
    expect(s.sent[0]).toMatchObject({ token: 'ok' });
  });

  it('a URL the WebSocket refuses outright gives up at once, saying why', async () => {
    class Refusing extends FakeSocket {
      constructor(url: string, protocol: string) {
        super(url, protocol);
        throw new SyntaxError(`The URL '${url}' is invalid.`);
      }
    }
    const t = setup({ url: 'http//nope', WebSocket: Refusing });
    t.client.connect();
    await settle();
    expect(t.states.at(-1)).toEqual({ state: 'disconnected', code: 0, reason: "The URL 'http//nope' is invalid.", willRetry: false });
  });

  it('close() stops for good; a later connect() resumes', async () => {
    const t = setup();
    t.client.connect();
    const s1 = await accept(t);
    s1.frame(push(1));
    t.client.close();
    expect(s1.closedByClient).toBe(1000);
    expect(t.states.at(-1)).toEqual({ state: 'disconnected', code: 1000, reason: 'closed by the app', willRetry: false });
    s1.serverClose(1000); // late event from the old socket: ignored
    t.clock.advance(60_000);
    await settle();
    expect(FakeSocket.made.length).toBe(1);
    t.client.connect();
    await settle();
    t.sock().open();
    expect(t.sock().sent[0]).toMatchObject({ resume: { epoch: 'E1', seq: 1 } });
  });
});

describe('liveness', () => {
  it('pings after a quiet interval; a pong keeps the connection', async () => {
    const t = setup();
    t.client.connect();
    const s = await accept(t);
    t.clock.advance(1000);
    expect(s.sent.at(-1)).toEqual({ type: 'ping' });
    t.clock.advance(400);
    s.frame({ type: 'pong' });
    t.clock.advance(1400);
    expect(s.closedByClient).toBeNull();
    expect(s.sent.filter((f) => f.type === 'ping').length).toBe(2);
  });

  it('a half-open connection (no pong) is dropped within ping interval + pong timeout, then resumed', async () => {
    const t = setup();
    t.client.connect();
    const s = await accept(t);
    s.frame(push(1));
    t.clock.advance(1499);
    expect(s.closedByClient).toBeNull();
    t.clock.advance(1);
    expect(s.closedByClient).toBe(1000);
    expect(t.states.at(-1)).toMatchObject({ state: 'disconnected', code: 1006, reason: 'no frame within 500 ms: connection presumed dead', willRetry: true });
    s.serverClose(1006); // the dead socket's late close: ignored
    expect(t.states.filter((x) => x.state === 'disconnected').length).toBe(1);
    t.clock.advance(1000);
    await settle();
    t.sock().open();
    expect(t.sock().sent[0]).toMatchObject({ resume: { epoch: 'E1', seq: 1 } });
  });

  it('a socket that never opens is given up after the pong timeout', async () => {
    const t = setup();
    t.client.connect();
    await settle();
    t.clock.advance(500);
    expect(t.states.at(-1)).toMatchObject({ state: 'disconnected', code: 1006, willRetry: true });
  });
});

describe('browser environment', () => {
  it('offline drops the socket and waits; online reconnects at once and resumes', async () => {
    const t = setup();
    t.client.connect();
    const s1 = await accept(t);
    s1.frame(push(1));
    t.env.events!.offline();
    expect(s1.closedByClient).toBe(1000);
    expect(t.states.at(-1)).toEqual({ state: 'disconnected', code: 1006, reason: 'the browser went offline', willRetry: true, delayMs: undefined });
    t.clock.advance(120_000);
    await settle();
    expect(FakeSocket.made.length).toBe(1);
    t.env.events!.online();
    await settle();
    expect(FakeSocket.made.length).toBe(2);
    t.sock().open();
    expect(t.sock().sent[0]).toMatchObject({ resume: { epoch: 'E1', seq: 1 } });
  });

  it('visible: pings a connected socket at once, retries a waiting one at once', async () => {
    const t = setup({ backoff: { baseMs: 60_000, maxMs: 60_000 } });
    t.client.connect();
    const s1 = await accept(t);
    t.env.events!.visible();
    expect(s1.sent.at(-1)).toEqual({ type: 'ping' });
    t.clock.advance(500);
    expect(s1.closedByClient).toBe(1000); // no answer: dead
    expect(FakeSocket.made.length).toBe(1);
    t.env.events!.visible();
    await settle();
    expect(FakeSocket.made.length).toBe(2);
  });

  it('stops listening to the page after close()', async () => {
    const t = setup();
    t.client.connect();
    await accept(t);
    t.client.close();
    expect(t.env.events).toBeNull();
  });
});
