// The RabbitMQ source's acker on its own: a fake channel records acks, the flush runs when the
// test says (no broker, no timers).
import { describe, expect, it } from 'vitest';
import { Acker, type AckChannel } from '../../runtime/sources/rabbitmq/acker.js';

interface M {
  fields: { deliveryTag: number };
}

function setup() {
  const calls: string[] = [];
  const ch: AckChannel<M> = {
    ack: (m, all) => void calls.push(all ? `ack<=${m.fields.deliveryTag}` : `ack ${m.fields.deliveryTag}`),
    nack: (m, _all, requeue) => void calls.push(`nack ${m.fields.deliveryTag}${requeue ? ' requeue' : ''}`),
  };
  const ticks: Array<() => void> = [];
  const acker = new Acker(ch, (fn) => void ticks.push(fn));
  const m = (tag: number): M => ({ fields: { deliveryTag: tag } });
  const tick = () => ticks.splice(0).forEach((fn) => fn());
  return { calls, acker, m, tick, ticks };
}

describe('acker', () => {
  it('what one tick settled is acked with one multiple ack at the end of the tick, not before', () => {
    const { calls, acker, m, tick, ticks } = setup();
    for (const t of [1, 2, 3]) acker.ack(m(t));
    expect(calls).toEqual([]);
    expect(ticks).toHaveLength(1);
    tick();
    expect(calls).toEqual(['ack<=3']);
  });

  it('never acks with multiple past a delivery waiting for a confirm; those after it are acked one by one', () => {
    const { calls, acker, m, tick } = setup();
    acker.ack(m(1));
    acker.ack(m(2));
    const held = m(3);
    acker.hold(held);
    acker.ack(m(4));
    acker.ack(m(5));
    tick();
    expect(calls).toEqual(['ack<=2', 'ack 4', 'ack 5']);
    acker.release(held, true);
    expect(calls.at(-1)).toBe('ack 3');
  });

  it('a failed confirm gives the delivery back to the queue', () => {
    const { calls, acker, m } = setup();
    const held = m(7);
    acker.hold(held);
    acker.release(held, false);
    expect(calls).toEqual(['nack 7 requeue']);
  });

  it('after the hold is released, batched acks may pass its tag again', () => {
    const { calls, acker, m, tick } = setup();
    const held = m(2);
    acker.hold(held);
    acker.release(held, true);
    acker.ack(m(3));
    acker.ack(m(4));
    tick();
    expect(calls).toEqual(['ack 2', 'ack<=4']);
  });

  it('a channel closed under it does not throw into the consumer', () => {
    const acker = new Acker<M>({ ack: () => { throw new Error('closed'); }, nack: () => { throw new Error('closed'); } }, (fn) => fn());
    expect(() => acker.ack({ fields: { deliveryTag: 1 } })).not.toThrow();
    expect(() => acker.release({ fields: { deliveryTag: 2 } }, true)).not.toThrow();
  });
});
