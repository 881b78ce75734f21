// Python-exact conversions, checked against values CPython 3.11 prints.
import { describe, expect, it } from 'vitest';
import { floatRepr, pyRepr, strRepr, truncateCodePoints } from '../../runtime/semantics/pyrepr.js';
import { pyInt, pyFloat } from '../../runtime/semantics/pyconvert.js';
import { isoToNaiveUtc } from '../../runtime/semantics/isotime.js';
import { compileGlob } from '../../runtime/semantics/glob.js';
import { parsePyJson, dumpPyJson } from '../../runtime/semantics/pyjson.js';
import { PyFloat } from '../../runtime/semantics/pyvalue.js';
import { pySplit } from '../../runtime/semantics/ops.js';
import { parseJsonPath } from '../../compiler/parse/jsonpath.js';

describe('repr(float)', () => {
  const cases: Array<[number, string]> = [
    [1, '1.0'], [1e16, '1e+16'], [1e15, '1000000000000000.0'], [1.5e-7, '1.5e-07'], [0.0001, '0.0001'],
    [0.00001, '1e-05'], [0.1 + 0.2, '0.30000000000000004'], [-0, '-0.0'], [123456789.125, '123456789.125'],
    [1.7976931348623157e308, '1.7976931348623157e+308'], [5e-324, '5e-324'], [NaN, 'nan'], [-Infinity, '-inf'],
  ];
  for (const [x, want] of cases) it(`${want}`, () => expect(floatRepr(x)).toBe(want));
});

describe('repr of containers and strings', () => {
  it('chooses quotes like Python', () => {
    expect(strRepr("it's")).toBe('"it\'s"');
    expect(strRepr('say "hi"')).toBe("'say \"hi\"'");
    expect(strRepr('both \' and "')).toBe("'both \\' and \"'");
    expect(strRepr('tab\there\n\x01\x7f')).toBe("'tab\\there\\n\\x01\\x7f'");
    expect(strRepr('caf\u00e9 \u2603 \u200b \ud83d\ude00')).toBe("'caf\u00e9 \u2603 \\u200b \ud83d\ude00'");
  });
  it('dicts, lists, None, bools, big ints, integral floats', () => {
    const v = parsePyJson('{"a": 1, "b": null, "c": [true, 1.0, 12345678901234567890, "x"]}');
    expect(pyRepr(v)).toBe("{'a': 1, 'b': None, 'c': [True, 1.0, 12345678901234567890, 'x']}");
  });
  it('truncates by code points', () => {
    expect(truncateCodePoints('\ud83d\ude00'.repeat(300), 255)).toHaveLength(510);
  });
});

describe('JSON as Python reads it', () => {
  it('keeps 1.0 a float, big ints exact, -0 an int, NaN and Infinity', () => {
    const v = parsePyJson('[1.0, 1, 12345678901234567890, -0, -0.0, NaN, -Infinity, 1e400]') as unknown[];
    expect(v[0]).toBeInstanceOf(PyFloat);
    expect(v[1]).toBe(1);
    expect(v[2]).toBe(12345678901234567890n);
    expect(Object.is(v[3], 0)).toBe(true);
    expect(v[4]).toBeInstanceOf(PyFloat);
    expect(Number.isNaN(v[5])).toBe(true);
    expect(v[6]).toBe(-Infinity);
    expect(v[7]).toBe(Infinity);
    expect(dumpPyJson(parsePyJson('{"b": 1.0, "a": [2, 1e16]}'))).toBe('{"a":[2,1e+16],"b":1.0}');
  });
  it('duplicate keys: last value, first position', () => {
    expect(dumpPyJson(parsePyJson('{"x": 1, "y": 2, "x": 3}'))).toBe('{"x":3,"y":2}');
    expect([...(parsePyJson('{"2": 0, "1": 0}') as Map<string, unknown>).keys()]).toEqual(['2', '1']);
  });
  it('rejects malformed JSON with a position', () => {
    expect(() => parsePyJson('{"a": }')).toThrow(/line 1 column 7/);
    expect(() => parsePyJson('[1] x')).toThrow(/Extra data/);
  });
});

describe('int() and float()', () => {
  it('int grammar', () => {
    expect(pyInt('20')).toBe(20);
    expect(pyInt(' 7 ')).toBe(7);
    expect(pyInt('1_000')).toBe(1000);
    expect(pyInt('\u0661\u0662')).toBe(12);
    expect(pyInt(3.9)).toBe(3);
    expect(pyInt(-3.9)).toBe(-3);
    expect(pyInt(true)).toBe(1);
    expect(pyInt('99999999999999999999')).toBe(99999999999999999999n);
    for (const bad of ['3.5', '1e3', '0x10', '1__0', '_1', '']) expect(() => pyInt(bad)).toThrow(/ValueError/);
    expect(() => pyInt([] as never)).toThrow(/TypeError/);
    expect(() => pyInt(new PyFloat(Infinity))).toThrow(/OverflowError/);
  });
  it('float grammar', () => {
    expect(pyFloat('1e3')).toBe(1000);
    expect(pyFloat(' 1.5 ')).toBe(1.5);
    expect(pyFloat('1_0.5')).toBe(10.5);
    expect(pyFloat('1.e5')).toBe(100000);
    expect(pyFloat('-Infinity')).toBe(-Infinity);
    expect(Number.isNaN(pyFloat('nan'))).toBe(true);
    for (const bad of ['1._5', '.', 'e5', '1e', 'infinit']) expect(() => pyFloat(bad)).toThrow(/ValueError/);
    expect(() => pyFloat(10n ** 400n)).toThrow(/OverflowError/);
  });
});

describe('iso8601 -> naive UTC isoformat()', () => {
  const ok: Array<[string, string]> = [
    ['2012-05-08 20:23:41', '2012-05-08T20:23:41'],
    ['2012-05-08T20:23:41+02:00', '2012-05-08T18:23:41'],
    ['2014-08-04T05:38:59.978898+0000', '2014-08-04T05:38:59.978898'],
    ['2012', '2012-01-01T00:00:00'],
    ['2012-5-8', '2012-05-08T00:00:00'],
    ['20120508T202341', '2012-05-08T20:23:41'],
    ['2012-05-08T20:23:41,5', '2012-05-08T20:23:41.500000'],
    ['2012-05-08T20:23:41.123456789', '2012-05-08T20:23:41.123456'],
    ['2012-05-08T20:23:41.9999999999999999999999999999', '2012-05-08T20:23:41.999999'],
    ['2000-01-01T00:30+01', '1999-12-31T23:30:00'],
    ['2012-05-08T20:23:41\n', '2012-05-08T20:23:41'],
  ];
  for (const [s, want] of ok) it(JSON.stringify(s), () => expect(isoToNaiveUtc(s)).toBe(want));
  for (const bad of ['201205', '2012-05-08 20:23:41   ', '2012-02-30', '2012-05-08t20:23', '2012-05-08T24:00', '2014-05-1510: 24: 56.335612', '0000-01-01']) {
    it(`rejects ${JSON.stringify(bad)}`, () => expect(() => isoToNaiveUtc(bad)).toThrow(/ValueError/));
  }
  it('rejects numbers', () => expect(() => isoToNaiveUtc(1336508621)).toThrow(/ValueError/));
  it('Decimal rounding of a 29-digit fraction can carry into an invalid microsecond', () => {
    expect(() => isoToNaiveUtc('2012-05-08T20:23:41.99999999999999999999999999999')).toThrow(/ValueError/);
  });
});

describe('fnmatch', () => {
  const cases: Array<[string, string, boolean]> = [
    ['compute.instance.create.end', 'compute.instance.*', true],
    ['computeXinstance', 'compute.instance', false],
    ['compute.x', 'Compute.*', false],
    ['volume.', 'volume.?', false],
    ['snap7.end', 'snap[0-9].end', true],
    ['img.a', 'img.[!a]', false],
    ['img.b', 'img.[!a]', true],
    ['a[b', 'a[b', true],
    ['a]', '[]]', false],
    [']', '[]]', true],
    ['-', '[a-]', true],
    ['m', '[z-a]', false],
    ['x', '[!z-a]', true],
    ['\ud83d\ude00', '?', true],
    ['a\nb', 'a*b', true],
    ['objectstore.http.request', '*http.*', true],
  ];
  for (const [name, pat, want] of cases) it(`${JSON.stringify(name)} ~ ${pat}`, () => expect(compileGlob(pat)(name)).toBe(want));
});

describe('str.split with maxsplit', () => {
  it('matches Python', () => {
    expect(pySplit('compute.node-1.example.org', '.', 1)).toEqual(['compute', 'node-1.example.org']);
    expect(pySplit('a..b', '.', -1)).toEqual(['a', '', 'b']);
    expect(pySplit('  a  b ', null, -1)).toEqual(['a', 'b']);
    expect(pySplit('  a  b c ', null, 1)).toEqual(['a', 'b c']);
  });
});

describe('JSONPath grammar precedence (jsonpath-rw)', () => {
  const shape = (src: string): string => {
    const s = (p: ReturnType<typeof parseJsonPath>): string => {
      switch (p.kind) {
        case 'fields': return p.names.join(',');
        case 'index': return `[${p.index}]`;
        case 'child': return `(${s(p.left)}.${s(p.right)})`;
        case 'union': return `(${s(p.left)}|${s(p.right)})`;
        case 'descendants': return `(${s(p.left)}..${s(p.right)})`;
        case 'where': return `(${s(p.left)} where ${s(p.right)})`;
        case 'operation': return `(${p.left.kind === 'path' ? s(p.left.path) : JSON.stringify(String(p.left.value))}${p.op}${p.right.kind === 'path' ? s(p.right.path) : JSON.stringify(String(p.right.value))})`;
        default: return p.kind;
      }
    };
    return s(parseJsonPath(src));
  };
  it('| binds tighter than .', () => expect(shape('a.b|c.d')).toBe('((a.(b|c)).d)'));
  it('fields lists compile to a parenthesised union', () => expect(shape('(a.b)|(c.d)')).toBe('((a.b)|(c.d))'));
  it('[ attaches to the nearest path', () => expect(shape('a.b[0]')).toBe('(a.(b.[0]))'));
  it('arithmetic binds loosest; one-name fields become strings', () => expect(shape('payload.a + b')).toBe('((payload.a)+"b")'));
  it('hyphens are name characters', () => expect(shape('payload.foo-bar')).toBe('(payload.foo-bar)'));
  it('true is a keyword, / is a sort token', () => {
    expect(() => parseJsonPath('payload.true')).toThrow();
    expect(() => parseJsonPath('payload.a / 2')).toThrow();
  });
});
