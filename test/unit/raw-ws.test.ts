// The bench's minimal WebSocket client (bench/load/raw-ws.ts) against the `ws` library's server:
// every frame length class, reads split anywhere, pings answered, close codes, refused upgrades.
// A miscounting load generator would make the peer group's "no frame lost" meaningless.
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { HandshakeError, openRawWebSocket, readFrame } from '../../bench/load/raw-ws.js';

let server: Server | undefined;

async function serve(onConnection: (ws: WebSocket) => void, protocols?: (offered: Set<string>) => string | false): Promise<number> {
  server = createServer((_req, res) => res.writeHead(403).end());
  const wss = new WebSocketServer({ server, handleProtocols: protocols, perMessageDeflate: false });
  wss.on('connection', onConnection);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

afterEach(() => {
  server?.closeAllConnections();
  server?.close();
});

describe('raw WebSocket client', () => {
  it('receives every length class whole and in order, answers a ping, echoes masked sends', async () => {
    const lengths = [0, 1, 125, 126, 127, 65535, 65536, 300_000];
    const pongs: string[] = [];
    const port = await serve((ws) => {
      ws.on('pong', (p) => pongs.push(p.toString()));
      ws.on('message', (m) => ws.send(`echo:${m.toString()}`));
      for (const n of lengths) ws.send(Buffer.alloc(n, n % 251), { binary: true });
      ws.ping('are-you-there');
    });
    const got: Buffer[] = [];
    const ws = await openRawWebSocket({ port, path: '/' }, { message: (m) => got.push(Buffer.from(m)), close: () => undefined });
    ws.send('hello é');
    for (let waited = 0; got.length < lengths.length + 1 && waited < 5000; waited += 10) await new Promise((r) => setTimeout(r, 10));
    expect(got.slice(0, lengths.length).map((b) => b.length)).toEqual(lengths);
    for (const [k, n] of lengths.entries()) expect(got[k]!.every((byte) => byte === n % 251)).toBe(true);
    expect(got[lengths.length]!.toString()).toBe('echo:hello é');
    expect(pongs).toEqual(['are-you-there']);
    ws.terminate();
  });

  it('reports the close code, 1005 without one, 1006 when the connection just ends', async () => {
    const codes: number[] = [];
    const port = await serve((ws) => {
      const u = ws.protocol;
      if (u === 'code') ws.close(4009, 'slow');
      else if (u === 'none') ws.close();
      else ws.terminate();
    }, (offered) => [...offered][0] ?? false);
    for (const protocol of ['code', 'none', 'cut']) {
      await new Promise<void>((resolve, reject) => {
        openRawWebSocket({ port, path: '/', protocol }, { message: () => undefined, close: (c) => (codes.push(c), resolve()) }).catch(reject);
      });
    }
    expect(codes).toEqual([4009, 1005, 1006]);
  });

  it('refuses an upgrade the server did not accept', async () => {
    const port = await serve(() => undefined);
    await expect(openRawWebSocket({ port, path: '/', headers: { 'sec-websocket-version': '12' } }, { message: () => undefined, close: () => undefined })).rejects.toBeInstanceOf(HandshakeError);
  });

  it('parses a frame only once all its bytes are there, and refuses what a server must not send', () => {
    const payload = Buffer.alloc(70_000, 7);
    const frame = Buffer.concat([Buffer.from([0x82, 127, 0, 0, 0, 0, 0, 1, 0x11, 0x70]), payload]);
    for (const cut of [0, 1, 2, 9, 10, 5000, frame.length - 1]) expect(readFrame(frame.subarray(0, cut), 0)).toBe('partial');
    expect(readFrame(frame, 0)).toEqual({ opcode: 2, start: 10, end: frame.length });
    expect(readFrame(Buffer.from([0x81, 0x81, 1, 2, 3, 4, 5]), 0)).toBe('invalid'); // masked by the server
    expect(readFrame(Buffer.from([0x01, 0x01, 0x41]), 0)).toBe('invalid'); // a fragment
  });
});
