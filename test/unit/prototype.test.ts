// Acceptance (issue 2.5): hostile keys decode like any other key and pollute nothing.
import { describe, expect, it } from 'vitest';
import { loadDefinitions } from '../../compiler/check/definitions.js';
import { interpreter } from '../../compiler/interpret/decode.js';
import { decodeLine, formatResult } from '../../runtime/semantics/event.js';

const yaml = `- event_type: X
  traits:
    proto: {fields: 'payload.__proto__'}
    ctor: {fields: payload.constructor}
    tostr: {fields: payload.toString}
    nested: {fields: 'payload.__proto__.polluted'}
    missing: {fields: payload.hasOwnProperty}
    __proto__: {fields: payload.a}
    constructor: {fields: payload.a}
`;

describe('prototype safety', () => {
  it('decodes __proto__, constructor and toString as ordinary keys', () => {
    const { rules } = loadDefinitions('p.yaml', yaml);
    const m = interpreter(rules!);
    const line = JSON.stringify({ event_type: 'X', metadata: { message_id: 'm', timestamp: '2020-01-01 00:00:00' }, publisher_id: 'p' }).replace(
      '"publisher_id"',
      '"payload": {"__proto__": {"polluted": "yes"}, "constructor": "c", "toString": 5, "a": "A"}, "publisher_id"',
    );
    const out = JSON.parse(formatResult(decodeLine(m, line)));
    // Built with fromEntries: a `__proto__:` key in an object literal would set the prototype.
    const want = Object.fromEntries([
      ['proto', ['text', "{'polluted': 'yes'}"]],
      ['ctor', ['text', 'c']],
      ['tostr', ['text', '5']],
      ['nested', ['text', 'yes']],
      ['__proto__', ['text', 'A']],
      ['constructor', ['text', 'A']],
      ['service', ['text', 'p']],
    ]);
    expect(Object.getPrototypeOf(out.traits)).toBe(Object.prototype);
    expect(Object.entries(out.traits).sort()).toEqual(Object.entries(want).sort());
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
  });
  it('absent keys do not fall through to Object.prototype', () => {
    const { rules } = loadDefinitions('p.yaml', yaml);
    const m = interpreter(rules!);
    const out = JSON.parse(formatResult(decodeLine(m, '{"event_type":"X","metadata":{"message_id":"m","timestamp":"2020-01-01"},"payload":{}}')));
    expect(Object.keys(out.traits)).toEqual([]);
  });
});
