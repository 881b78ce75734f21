// The one reconnect schedule of the RabbitMQ source and push bus: targets in turn, one pending
// retry however many losses report it, back-off reset by a connection that comes up, nothing after stop.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Reconnector } from '../../runtime/core/backoff.js';

afterEach(() => void vi.useRealTimers());

describe('Reconnector', () => {
  it('tries the targets in turn, at once and then after each retry', async () => {
    vi.useFakeTimers();
    const tried: string[] = [];
    const r = new Reconnector(['a', 'b'], 1, async (t) => void tried.push(t));
    r.start();
    expect(tried).toEqual(['a']);
    r.retry();
    r.retry(); // a second report of the same loss schedules nothing more
    await vi.advanceTimersByTimeAsync(1000);
    expect(tried).toEqual(['a', 'b']);
    expect(r.attempts).toBe(1);
    r.retry();
    await vi.advanceTimersByTimeAsync(1000);
    expect(tried).toEqual(['a', 'b', 'a']);
  });

  it('waits longer after each failed try, up to the cap, and starts over once connected', async () => {
    vi.useFakeTimers();
    let tries = 0;
    const r = new Reconnector(['a'], 60, async () => void tries++);
    r.start();
    for (let i = 0; i < 4; i++) r.retry(), await vi.advanceTimersByTimeAsync(250 * 2 ** i);
    expect(tries).toBe(5);
    r.retry();
    await vi.advanceTimersByTimeAsync(1000); // the 5th delay is at least 2 s
    expect(tries).toBe(5);
    await vi.advanceTimersByTimeAsync(3000);
    expect(tries).toBe(6);
    r.connected();
    expect(r.attempts).toBe(0);
    r.retry();
    await vi.advanceTimersByTimeAsync(250);
    expect(tries).toBe(7);
  });

  it('after stop no retry runs, pending or new', async () => {
    vi.useFakeTimers();
    let tries = 0;
    const r = new Reconnector(['a'], 1, async () => void tries++);
    r.start();
    r.retry();
    r.stop();
    r.retry();
    await vi.advanceTimersByTimeAsync(5000);
    expect(tries).toBe(1);
  });
});
