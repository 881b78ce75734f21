// Nothing a test run generates lands in the checkout: a crashing Erlang VM writes its dump in the
// broker's state dir.
import { describe, expect, it } from 'vitest';
import { rabbitEnvironment } from '../gateway/harness.js';

describe('the RabbitMQ harness', () => {
  it('points ERL_CRASH_DUMP into the state dir', () => {
    const env = rabbitEnvironment('/tmp/herald-rabbit-x', 5672, 25672);
    expect(env.ERL_CRASH_DUMP).toBe('/tmp/herald-rabbit-x/erl_crash.dump');
    expect(env.RABBIT_BASE).toBe('/tmp/herald-rabbit-x');
  });
});
