// herald-client against the real gateway (`node bin/herald.mjs serve`, embedded, pushes made by
// real notifications posted to the HTTP ingest): a SIGKILLed and restarted gateway, connections
// cut or frozen by a TCP proxy, and a token that expires mid-stream.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { HeraldClient, type ClientOptions, type SocketConstructor, type StateChange } from '../../client/src/index.js';
import { freePort, SECRET, token } from '../gateway/harness.js';
import { ingest, served, volumeCreated, type Served } from './serve.js';
import { tcpProxy, type TcpProxy } from './proxy.js';

/** A client that records what it delivers (resource ids), resets and state changes. */
function watched(port: number, getToken: () => Promise<string>, extra: Partial<ClientOptions> = {}) {
  const client = new HeraldClient({ url: `ws://127.0.0.1:${port}/ws`, getToken, WebSocket: WebSocket as unknown as SocketConstructor, backoff: { baseMs: 100, maxMs: 1000 }, ...extra });
  const seen: string[] = [];
  const resets: string[] = [];
  const states: StateChange[] = [];
  client.on('push', (d) => seen.push(String((d.message as { resource_id?: unknown }).resource_id)));
  client.on('reset', (r) => resets.push(r));
  client.on('state', (s) => states.push(s));
  /** Waits (bounded) for a condition; the error says what was awaited and what was seen. */
  async function until(what: string, cond: () => boolean, seconds = 60): Promise<void> {
    const end = Date.now() + seconds * 1000;
    while (!cond()) {
      if (Date.now() > end) throw new Error(`never: ${what}; seen ${JSON.stringify(seen)}, resets ${JSON.stringify(resets)}, states ${JSON.stringify(states.slice(-5))}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  return { client, seen, resets, states, until };
}

const ids = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => `v${from + i}`);

async function post(port: number, user: string, from: number, to: number): Promise<void> {
  for (let n = from; n <= to; n++) expect(await ingest(port, volumeCreated(user, n))).toEqual([1]);
}

describe('herald-client against a restarted gateway', () => {
  let gw: Served;
  afterAll(() => gw?.kill('SIGKILL'));

  it('SIGKILL and restart on the same port mid-stream: reconnects by itself and emits reset (new epoch)', async () => {
    gw = served(await freePort(), `jwt_secret = ${SECRET}`);
    await gw.start();
    const w = watched(gw.port, () => token('alice'));
    w.client.connect();
    await w.until('connected', () => w.client.state === 'connected');
    const firstEpoch = w.client.epoch;
    await post(gw.port, 'alice', 1, 3);
    await w.until('3 pushes', () => w.seen.length === 3);
    await gw.kill('SIGKILL');
    await w.until('disconnected, retrying', () => w.states.some((s) => s.state === 'disconnected' && s.willRetry === true));
    await gw.start();
    await w.until('reset and connected again', () => w.resets.length === 1 && w.client.state === 'connected');
    expect(w.resets[0]).toMatch(/epoch changed/);
    expect(w.client.epoch).not.toBe(firstEpoch);
    await post(gw.port, 'alice', 4, 5);
    await w.until('5 pushes', () => w.seen.length === 5);
    expect(w.seen).toEqual(ids(1, 5));
    w.client.close();
  });
});

describe('herald-client against a live gateway', () => {
  let gw: Served;
  let proxy: TcpProxy;
  beforeAll(async () => {
    gw = served(await freePort(), `jwt_secret = ${SECRET}`);
    await gw.start();
    proxy = await tcpProxy(gw.port);
  });
  afterAll(async () => {
    await proxy?.close();
    await gw?.kill('SIGKILL');
  });

  it('a cut TCP connection and a half-open one: resumes and sees every push exactly once', async () => {
    const w = watched(proxy.port, () => token('bob'), { pingIntervalMs: 1000, pongTimeoutMs: 3000 });
    w.client.connect();
    await w.until('connected', () => w.client.state === 'connected');
    await post(gw.port, 'bob', 1, 5);
    await w.until('5 pushes', () => w.seen.length === 5);

    // Cut, and keep the client out until pushes were made in its absence.
    proxy.hold();
    proxy.cut();
    await w.until('the cut noticed', () => w.client.state !== 'connected');
    await post(gw.port, 'bob', 6, 10);
    proxy.release();
    await w.until('10 pushes', () => w.seen.length === 10);
    await post(gw.port, 'bob', 11, 12);
    await w.until('12 pushes', () => w.seen.length === 12);

    // Half-open: the connection stays up but nothing passes; only the client's ping finds out.
    await w.until('connected', () => w.client.state === 'connected');
    const mark = w.states.length;
    proxy.hold();
    proxy.freeze();
    await post(gw.port, 'bob', 13, 15);
    await w.until('the dead connection noticed', () => w.states.slice(mark).some((s) => s.reason?.includes('presumed dead')));
    proxy.release();
    await w.until('15 pushes', () => w.seen.length === 15);
    await post(gw.port, 'bob', 16, 16);
    await w.until('16 pushes', () => w.seen.length === 16);

    expect(w.seen).toEqual(ids(1, 16));
    expect(w.resets).toEqual([]);
    expect(w.states.filter((s) => s.state === 'disconnected').every((s) => s.willRetry)).toBe(true);
    w.client.close();
  });

  it('an expiring token: getToken is called again (4003) and the stream goes on without a gap', async () => {
    let calls = 0;
    let open!: () => void;
    const second = new Promise<void>((r) => (open = r));
    const getToken = async (): Promise<string> => {
      calls++;
      if (calls === 2) await second;
      // The first token lives 3-4 s (exp has whole seconds); the next ones an hour.
      return token('carol', { exp: Math.floor(Date.now() / 1000) + (calls === 1 ? 4 : 3600) });
    };
    const w = watched(gw.port, getToken);
    w.client.connect();
    await w.until('connected', () => w.client.state === 'connected');
    // Pushes 1-2 normally arrive before the expiry; on a slow day they are replayed: once either way.
    await post(gw.port, 'carol', 1, 2);
    await w.until('the token expired and a new one is asked for', () => calls === 2);
    expect(w.states.at(-1)).toMatchObject({ state: 'connecting' });
    expect(w.states.some((s) => s.code === 4003 && s.willRetry)).toBe(true);
    await post(gw.port, 'carol', 3, 4); // while the client waits for its token
    open();
    await w.until('4 pushes', () => w.seen.length === 4);
    await post(gw.port, 'carol', 5, 5);
    await w.until('5 pushes', () => w.seen.length === 5);
    expect(w.seen).toEqual(ids(1, 5));
    expect(w.resets).toEqual([]);
    w.client.close();
  });
});
