// The pure half of the RabbitMQ push bus: routing keys, the messages a push becomes, reading them
// back, and binding reference counts.
import { describe, expect, it } from 'vitest';
import { BindingCounts, keysOf, projectKey, readRoutedPush, routedMessages, userKey } from '../../runtime/bus/rabbitmq/routing.js';

describe('push routing', () => {
  it('routing keys keep ., * and # in ids literal and tell users from projects', () => {
    expect(userKey('a.b')).toBe(`u.${Buffer.from('a.b').toString('base64url')}`);
    expect(userKey('#')).not.toMatch(/[#*]|\..*\./);
    expect(userKey('x')).not.toBe(projectKey('x'));
  });

  it('one message per distinct address, all carrying the same id and body', () => {
    const msgs = routedMessages({ id: 'n1#0', users: ['u', 'u', 'v'], projects: ['p'], data: '{"a":1}' });
    expect(msgs.map((m) => m.routingKey)).toEqual([userKey('u'), userKey('v'), projectKey('p')]);
    expect(new Set(msgs.map((m) => m.body.toString())).size).toBe(1);
    expect(readRoutedPush(msgs[0]!.body)).toEqual({ id: 'n1#0', users: ['u', 'u', 'v'], projects: ['p'], data: '{"a":1}' });
  });

  it('a body that is not a push is read as null, never delivered', () => {
    expect(readRoutedPush(Buffer.from('nope'))).toBeNull();
    expect(readRoutedPush(Buffer.from('{"id":1,"users":[],"projects":[],"data":"{}"}'))).toBeNull();
    expect(readRoutedPush(Buffer.from('{"id":"x","users":[3],"projects":[],"data":"{}"}'))).toBeNull();
    expect(readRoutedPush(Buffer.from('null'))).toBeNull();
  });

  it('the first hold of a key binds it, the last release unbinds it', () => {
    const c = new BindingCounts();
    const a = keysOf(['u'], ['p', 'q']);
    const b = keysOf(['u'], ['p']);
    expect(c.hold(a)).toEqual(a);
    expect(c.hold(b)).toEqual([]);
    expect(c.release(a)).toEqual([projectKey('q')]);
    expect(c.keys().sort()).toEqual(b.sort());
    expect(c.release(b).sort()).toEqual(b.sort());
    expect(c.keys()).toEqual([]);
    expect(c.release(b)).toEqual([]);
  });
});
