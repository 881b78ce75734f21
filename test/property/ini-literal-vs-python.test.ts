// Issue 4: the INI reader and the Python-literal parser agree with Python 3.11 itself
// (configparser.RawConfigParser + ast.literal_eval) on thousands of generated inputs.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { readIni } from '../../runtime/config/ini.js';
import { parsePyLiteral, literalValue } from '../../runtime/config/pyliteral.js';
import { SourceFile } from '../../compiler/source.js';
import { PyFloat, type PyValue } from '../../runtime/semantics/pyvalue.js';
import { floatRepr } from '../../runtime/semantics/pyrepr.js';
import { ROOT } from '../helpers.js';

const CASES = Number(process.env.HERALD_PY_CASES ?? 1600);

function python(cases: Array<{ ini: string } | { literal: string }>): unknown[] {
  const r = spawnSync('python3', [join(ROOT, 'test', 'property', 'python-oracle.py')], { input: cases.map((c) => JSON.stringify(c)).join('\n') + '\n', encoding: 'utf8', maxBuffer: 256 << 20 });
  if (r.status !== 0) throw new Error(`python3 failed: ${r.stderr}`);
  return r.stdout.trim().split('\n').map((l) => JSON.parse(l));
}

function tag(v: PyValue): unknown {
  if (v === null || typeof v === 'boolean' || typeof v === 'string') return v;
  if (typeof v === 'bigint') return { i: v.toString() };
  if (v instanceof PyFloat) return { f: floatRepr(v.value) };
  if (typeof v === 'number') return Number.isInteger(v) && !Object.is(v, -0) ? { i: String(v) } : { f: floatRepr(v) };
  if (Array.isArray(v)) return v.map(tag);
  return { d: [...v].map(([k, x]) => [k, tag(x)]) };
}

// ---- literals ----
const str = fc.oneof(
  fc.constantFrom("'a'", '"b"', "''", "'''tri\nple'''", '"""x"y"""', "r'\\d+'", "u'x'", "R\"\\n\"", "'\\n\\t\\\\'", "'\\x41\\u00e9\\U0001F600'", "'\\101'", "'\\q'", "'a' 'b'", "'a'\n'b'", "'é中😀'", "'it''s'", "'\\\n'"),
  fc.string({ maxLength: 6 }).map((s) => JSON.stringify(s)),
);
const num = fc.constantFrom('0', '7', '-3', '+4', '1_000', '0x_ff', '0o17', '0b1010', '00', '12345678901234567890', '-9007199254740993', '1.5', '1.', '.5', '1e3', '1E-2', '1_0.0_1', '2.0', '-0.0', '1e400', '0.1');
const bad = fc.constantFrom('x', 'foo()', '...', "b'x'", "f'x'", '1j', '{1, 2}', "{1: 'a'}", '01', '--1', '1 2', '[1,,]', '[', "'abc", "'''a", '-True', '1+2', 'set()', '(1 2)', "{'a' 1}", '\\x', "'\\x4'", "'\\N{DASH}'", 'None None', '[1]\n[2]');
const literal: fc.Arbitrary<string> = fc.letrec<{ v: string }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { weight: 3, arbitrary: str },
    { weight: 3, arbitrary: num },
    { weight: 1, arbitrary: fc.constantFrom('True', 'False', 'None') },
    { weight: 1, arbitrary: bad },
    { weight: 2, arbitrary: fc.tuple(fc.array(tie('v'), { maxLength: 3 }), fc.constantFrom('', ',', ' ,\n ', ' # c\n')).map(([xs, trail]) => `[${xs.join(', ')}${xs.length ? trail : ''}]`) },
    { weight: 1, arbitrary: fc.tuple(fc.array(tie('v'), { maxLength: 3 }), fc.boolean()).map(([xs, trail]) => `(${xs.join(', ')}${xs.length === 1 || trail ? ',' : ''})`) },
    { weight: 2, arbitrary: fc.tuple(fc.array(fc.tuple(str, tie('v')), { maxLength: 3 }), fc.constantFrom('', ',', '\n')).map(([es, trail]) => `{${es.map(([k, v]) => `${k}: ${v}`).join(',\n  ')}${es.length ? trail : ''}}`) },
    { weight: 1, arbitrary: fc.tuple(tie('v'), fc.constantFrom('  # comment', '\n', '\n\n', '  ')).map(([v, tail]) => `${v}${tail}`) },
  ),
})).v;

// ---- INI files ----
const ws = fc.constantFrom('', ' ', '  ', '\t');
const optName = fc.constantFrom('transformer', 'Port', 'host', 'a b', 'x', 'ünï', 'k%');
const optValue = fc.constantFrom('1', "['a', 'b']", 'rabbit://u:p@h:5672/', '', '%(x)s', 'a = b', 'a : b', 'v # not a comment', '中文');
const line = fc.oneof(
  { weight: 4, arbitrary: fc.tuple(ws, optName, ws, fc.constantFrom('=', ':'), ws, optValue).map((p) => p.join('')) },
  { weight: 2, arbitrary: fc.tuple(fc.constantFrom('    ', '  ', '\t', '        '), fc.constantFrom('more', "'x': 1,", '# inside', '; inside', ']', '  deeper')).map((p) => p.join('')) },
  { weight: 1, arbitrary: fc.constantFrom('', '   ', '# comment', '; comment', '  # indented comment') },
  { weight: 2, arbitrary: fc.tuple(ws, fc.constantFrom('[NOTIFY_MANAGER]', '[WEBSOCKET]', '[DEFAULT]', '[a] trailing', '[x]y]')).map((p) => p.join('')) },
  { weight: 1, arbitrary: fc.constantFrom('no delimiter here', '= novalue', '  [not a header') },
);
const iniText = fc.tuple(fc.boolean(), fc.array(line, { maxLength: 12 }), fc.constantFrom('\n', '\r\n'), fc.boolean()).map(
  ([header, lines, eol, finalEol]) => (header ? ['[NOTIFY_MANAGER]', ...lines] : lines).join(eol) + (finalEol ? eol : ''),
);

function heraldIni(text: string): unknown {
  const ini = readIni(new SourceFile('t.ini', text));
  if (ini.errors.length) return { error: ini.errors[0]!.kind };
  return {
    defaults: [...ini.defaults.options.values()].map((o) => [o.name, o.value.text]),
    sections: [...ini.sections.values()].map((s) => [s.name, [...s.options.values()].map((o) => [o.name, o.value.text])]),
  };
}

function heraldLiteral(text: string): unknown {
  try {
    return { value: tag(literalValue(parsePyLiteral(text))) };
  } catch {
    return { error: true };
  }
}

describe('differential: Python 3.11 configparser and ast.literal_eval', () => {
  it(`${CASES} literals`, () => {
    const inputs = fc.sample(literal, { numRuns: CASES, seed: Date.now() });
    const want = python(inputs.map((l) => ({ literal: l })));
    let values = 0;
    const mismatches: Array<{ literal: string; python: unknown; herald: unknown }> = [];
    inputs.forEach((l, i) => {
      const w = want[i] as { value?: unknown; error?: string };
      const got = heraldLiteral(l);
      const expected = w.error ? { error: true } : { value: w.value };
      if (!w.error) values++;
      if (JSON.stringify(got) !== JSON.stringify(expected)) mismatches.push({ literal: l, python: w, herald: got });
    });
    // The shortest disagreement is the one worth reading.
    mismatches.sort((a, b) => a.literal.length - b.literal.length);
    expect(mismatches.slice(0, 3)).toEqual([]);
    expect(values).toBeGreaterThan(CASES / 3);
  });

  it(`${CASES} INI files`, () => {
    const inputs = fc.sample(iniText, { numRuns: CASES, seed: Date.now() });
    const want = python(inputs.map((t) => ({ ini: t })));
    let ok = 0;
    const mismatches: Array<{ ini: string; python: unknown; herald: unknown }> = [];
    inputs.forEach((t, i) => {
      const w = want[i] as { error?: string };
      const got = heraldIni(t) as { error?: string };
      // On errors, the same outcome (configparser raises the first; Herald reports them all).
      const same = w.error ? got.error !== undefined : JSON.stringify(got) === JSON.stringify(w);
      if (!w.error) ok++;
      if (!same) mismatches.push({ ini: t, python: w, herald: got });
    });
    mismatches.sort((a, b) => a.ini.length - b.ini.length);
    expect(mismatches.slice(0, 3)).toEqual([]);
    expect(ok).toBeGreaterThan(CASES / 4);
  });
});
