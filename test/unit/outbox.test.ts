// The outbox: a turn's push frames reach each socket in one cork (one write), in order, and a
// frame sent directly never overtakes frames still waiting.
import { describe, expect, it } from 'vitest';
import { Backpressure } from '../../runtime/server/backpressure.js';
import { Outbox } from '../../runtime/server/outbox.js';
import { newSocketData, type ServerEvents, type Sock } from '../../runtime/server/socket.js';

interface Recorded extends Sock {
  /** Frames by cork: one inner list per write the socket would make. */
  writes: string[][];
}

function recorded(): Recorded {
  const data = newSocketData(null);
  let corked: string[] | null = null;
  const s: Recorded = {
    writes: [],
    getUserData: () => data,
    send: (m) => {
      if (corked) corked.push(m);
      else s.writes.push([m]);
      return 1;
    },
    end: () => undefined,
    close: () => undefined,
    cork: (fn) => {
      corked = [];
      fn();
      s.writes.push(corked);
      corked = null;
    },
    getBufferedAmount: () => 0,
  };
  return s;
}

const events: ServerEvents = { refused: () => undefined, slowClosed: () => undefined, connected: () => undefined, disconnected: () => undefined, replay: () => undefined };
const turn = () => new Promise((r) => setImmediate(r));

function outbox(): { out: Outbox; flushes: () => number } {
  let flushes = 0;
  const out = new Outbox(new Backpressure({ maxBackpressure: 1 << 20, maxBufferedBytes: 1 << 30 }, events, () => undefined), () => void flushes++);
  return { out, flushes: () => flushes };
}

describe('outbox', () => {
  it('frames queued in one turn go out together, one cork per socket, in order', async () => {
    const { out, flushes } = outbox();
    const a = recorded();
    const b = recorded();
    for (const f of ['1', '2', '3']) out.queue(a, f);
    out.queue(b, 'x');
    expect(a.writes).toEqual([]);
    await turn();
    expect(a.writes).toEqual([['1', '2', '3']]);
    expect(b.writes).toEqual([['x']]);
    expect(flushes()).toBe(1);
    out.queue(a, '4');
    await turn();
    expect(a.writes).toEqual([['1', '2', '3'], ['4']]);
  });

  it('a direct frame first writes what the socket has waiting', async () => {
    const { out } = outbox();
    const a = recorded();
    out.queue(a, 'push 1');
    a.cork(() => out.send(a, 'ready'));
    expect(a.writes).toEqual([['push 1', 'ready']]);
    await turn();
    expect(a.writes).toEqual([['push 1', 'ready']]);
  });

  it('a closed or forgotten socket is not written to', async () => {
    const { out } = outbox();
    const closed = recorded();
    const forgotten = recorded();
    out.queue(closed, 'a');
    out.queue(forgotten, 'b');
    closed.getUserData().closed = true;
    out.forget(forgotten);
    await turn();
    expect(closed.writes).toEqual([]);
    expect(forgotten.writes).toEqual([]);
  });
});
