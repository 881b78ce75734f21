// HTTP ingest cuts an array body into its elements' bytes without parsing them.
import { describe, expect, it } from 'vitest';
import { splitItems } from '../../runtime/sources/http/split.js';

const split = (s: string | Uint8Array) => splitItems(typeof s === 'string' ? Buffer.from(s) : s)?.map((b) => Buffer.from(b).toString('latin1')) ?? null;

describe('http ingest body split', () => {
  it('an object is the only item; an array gives each element, whitespace trimmed', () => {
    expect(split(' {"a": 1} ')).toEqual(['{"a": 1}']);
    expect(split('[ {"a": [1, 2]}, {"b": "x,]}"} ,{"c":{"d":[]}} ]')).toEqual(['{"a": [1, 2]}', '{"b": "x,]}"}', '{"c":{"d":[]}}']);
    expect(split('[{"s":"q\\"],"}]')).toEqual(['{"s":"q\\"],"}']);
    expect(split('[]')).toEqual([]);
  });

  it('an unclosed array or trailing bytes: null (the whole body is refused)', () => {
    expect(split('[{"a":1}')).toBeNull();
    expect(split('[{"a":1}] x')).toBeNull();
    expect(split('[' + '['.repeat(1000))).toBeNull();
  });

  it('elements that are not JSON are still cut out, to be refused one by one', () => {
    expect(split('[nope, {"a":1}]')).toEqual(['nope', '{"a":1}']);
  });

  it('bytes of invalid UTF-8 inside an element stay untouched', () => {
    const body = Buffer.concat([Buffer.from('[{"a":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"},{"b":2}]')]);
    const items = splitItems(body)!;
    expect(items).toHaveLength(2);
    expect([...items[0]!.subarray(6, 8)]).toEqual([0xff, 0xfe]);
  });
});
