// Credential expiry by one timer for all sockets: each socket is reported once, at the first tick
// at or after its time; a fresh credential moves the time; the timer runs only while it watches.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ExpiryWatch } from '../../runtime/server/expiry.js';
import { newSocketData, type Sock } from '../../runtime/server/socket.js';

function sock(): Sock {
  const data = newSocketData(null);
  return { getUserData: () => data, send: () => 1, end: () => undefined, close: () => undefined, cork: (fn) => fn(), getBufferedAmount: () => 0 };
}

/** A watch ticking each second that records what it reports, and two sockets. */
function twoSockets() {
  const expired: Sock[] = [];
  return { expired, w: new ExpiryWatch((ws) => void expired.push(ws), 1000), a: sock(), b: sock() };
}

describe('ExpiryWatch', () => {
  beforeEach(() => void vi.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => void vi.useRealTimers());

  it('reports each socket once, at the first tick at or after its expiry, and not before', () => {
    const { expired, w, a, b } = twoSockets();
    w.watch(a, Date.now() + 1500);
    w.watch(b, Date.now() + 3000);
    vi.advanceTimersByTime(1000);
    expect(expired).toEqual([]);
    vi.advanceTimersByTime(1000);
    expect(expired).toEqual([a]);
    vi.advanceTimersByTime(1000);
    expect(expired).toEqual([a, b]);
    vi.advanceTimersByTime(5000);
    expect(expired).toEqual([a, b]);
  });

  it('a fresh credential moves the time; a forgotten socket is never reported', () => {
    const { expired, w, a, b } = twoSockets();
    w.watch(a, Date.now() + 1000);
    w.watch(b, Date.now() + 1000);
    w.watch(a, Date.now() + 10_000);
    w.forget(b);
    vi.advanceTimersByTime(5000);
    expect(expired).toEqual([]);
    vi.advanceTimersByTime(5000);
    expect(expired).toEqual([a]);
  });

  it('runs a timer only while it watches a socket', () => {
    const w = new ExpiryWatch(() => undefined, 1000);
    expect(vi.getTimerCount()).toBe(0);
    const a = sock();
    w.watch(a, Date.now() + 60_000);
    w.watch(sock(), Date.now() + 500);
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(1000);
    expect(w.size).toBe(1);
    w.forget(a);
    expect(w.size).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });
});
