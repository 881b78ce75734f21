// A TCP proxy on loopback between a client and the gateway, so a test can break the connection
// the way networks do: cut it (both sides see it go), freeze it (half-open: it stays up but
// nothing passes), or hold new connections until the test is ready.
import { connect, createServer, type Socket } from 'node:net';

export interface TcpProxy {
  port: number;
  /** Destroys every connection passing through. */
  cut(): void;
  /** Connections through stay open but forward nothing any more (new ones work). */
  freeze(): void;
  /** New connections wait, accepted but not forwarded, until release(). */
  hold(): void;
  release(): void;
  close(): Promise<void>;
}

export function tcpProxy(target: number): Promise<TcpProxy> {
  const pairs = new Set<[Socket, Socket]>();
  const frozen: Socket[] = [];
  let parked: Socket[] = [];
  let holding = false;

  function forward(a: Socket): void {
    if (a.destroyed) return;
    const b = connect(target, '127.0.0.1');
    const pair: [Socket, Socket] = [a, b];
    pairs.add(pair);
    const end = (): void => {
      a.destroy();
      b.destroy();
      pairs.delete(pair);
    };
    for (const s of pair) s.on('error', end).on('close', end);
    a.pipe(b);
    b.pipe(a);
  }

  const server = createServer((a) => {
    a.on('error', () => undefined);
    if (holding) parked.push(a);
    else forward(a);
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      resolve({
        port: (server.address() as { port: number }).port,
        cut: () => {
          for (const [a, b] of pairs) a.destroy(), b.destroy();
          pairs.clear();
        },
        freeze: () => {
          for (const [a, b] of pairs) {
            a.unpipe(b), b.unpipe(a), a.pause(), b.pause();
            frozen.push(a, b);
          }
          pairs.clear();
        },
        hold: () => void (holding = true),
        release: () => {
          holding = false;
          for (const a of parked) forward(a);
          parked = [];
        },
        close: () =>
          new Promise<void>((r) => {
            for (const s of [...parked, ...frozen, ...[...pairs].flat()]) s.destroy();
            server.close(() => r());
          }),
      });
    });
  });
}
