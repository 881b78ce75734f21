// Acceptance (issue 2.3, 2.4): each load-time error class with its exact position and code;
// warnings for what Ceilometer silently accepts; no stack trace on bad input.
import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { loadDefinitions } from '../../compiler/check/definitions.js';
import { renderJson, renderText, strictify } from '../../compiler/diagnostics.js';
import { loadSettings } from '../../compiler/check/settings.js';
import { location } from '../../compiler/source.js';
import { ROOT, SAMPLES } from '../helpers.js';

/** Diagnostics as "LINE:COL severity CODE". */
function diag(yaml: string): string[] {
  const { diagnostics } = loadDefinitions('t.yaml', yaml);
  return diagnostics.items.map((d) => {
    const p = d.span.file.position(d.span.start);
    return `${p.line}:${p.column} ${d.severity} ${d.code}`;
  });
}

describe('load-time errors (Ceilometer rejects the file) with exact positions', () => {
  const cases: Array<[string, string, string]> = [
    ['malformed YAML', '- event_type: [a, b\n  traits: {}\n', 'error HE101'],
    ['empty file', '', '1:1 error HE102'],
    ['only a document marker', '---\n', '1:1 error HE102'],
    ['a non-list top level', 'event_type: x\ntraits: {}\n', '1:1 error HE103'],
    ['a scalar top level', 'hello\n', '1:1 error HE103'],
    ['a list item that is not a mapping', '- event_type: a\n  traits: {}\n- just a string\n', '3:3 error HE104'],
    ['missing traits (E64)', '- event_type: X\n', '1:3 error HE201'],
    ['missing event_type', '- traits: {}\n', '1:3 error HE201'],
    ['an event_type that is not a string', '- event_type: [a, 5]\n  traits: {}\n', '1:19 error HE202'],
    ['traits: left empty', '- event_type: a\n  traits:\n', 'error HE203'],
    ['a trait without fields (E63)', '- event_type: a\n  traits:\n    t: {type: int}\n', '3:8 error HE301'],
    ['an invalid trait type (E56)', '- event_type: a\n  traits:\n    t: {fields: payload.a, type: string}\n', '3:34 error HE302'],
    ['a plugin without a name (E62)', '- event_type: a\n  traits:\n    t: {fields: payload.a, plugin: {parameters: {}}}\n', '3:36 error HE303'],
    ['an unknown plugin (E61)', '- event_type: a\n  traits:\n    t: {fields: payload.a, plugin: nosuch}\n', '3:36 error HE304'],
    ['map plugin without values', '- event_type: a\n  traits:\n    t: {fields: payload.a, plugin: {name: map}}\n', 'error HE305'],
    ['a JSONPath syntax error points into the path (E65)', "- event_type: a\n  traits:\n    t: {fields: 'payload.bogus('}\n", '3:31 error HE306'],
    ['split() needs ", " (E44)', '- event_type: a\n  traits:\n    t: {fields: "publisher_id.`split(.,1,1)`"}\n', '3:31 error HE306'],
    ['an empty fields list (E66)', '- event_type: a\n  traits:\n    t: {fields: []}\n', '3:17 error HE306'],
    ['a float as fields', '- event_type: a\n  traits:\n    t: {fields: 1.5}\n', '3:17 error HE307'],
    ['an unknown named operator', '- event_type: a\n  traits:\n    t: {fields: "payload.`nope`"}\n', '3:26 error HE306'],
    ['a merge of a scalar', '- event_type: a\n  traits:\n    <<: 5\n', '3:9 error HE106'],
  ];
  for (const [title, yaml, want] of cases) {
    it(title, () => {
      const got = diag(yaml);
      expect(got.some((g) => g === want || g.endsWith(' ' + want) || (!/^\d/.test(want) && g.endsWith(want)))).toBe(true);
      expect(loadDefinitions('t.yaml', yaml).rules).toBeNull();
    });
  }
});

describe('warnings for what Ceilometer silently accepts', () => {
  it('duplicate keys: later wins, warned at the second key (E69)', () => {
    expect(diag('- event_type: X\n  traits:\n    t: {fields: payload.first}\n    t: {fields: payload.second}\n')).toContain('4:5 warning HW404');
  });
  it('YAML 1.1 boolean key `on:`', () => {
    expect(diag('- event_type: X\n  traits:\n    on: {fields: payload.a}\n')).toContain('3:5 warning HW405');
  });
  it('a root that can never match', () => {
    expect(diag('- event_type: X\n  traits:\n    t: {fields: priority}\n')).toContain('3:17 warning HW402');
  });
  it('the & operator always fails at run time (it binds tighter than `.`: payload.(a & payload).b)', () => {
    expect(diag("- event_type: X\n  traits:\n    t: {fields: 'payload.a & payload.b'}\n")).toContain('3:26 warning HW403');
  });
  it('a definition shadowed by a later glob', () => {
    expect(diag("- event_type: a.b\n  traits: {}\n- event_type: 'a.*'\n  traits: {}\n")).toContain('1:15 warning HW401');
  });
  it('--strict turns warnings into errors', () => {
    const { diagnostics } = loadDefinitions('t.yaml', '- event_type: X\n  traits:\n    t: {fields: priority}\n');
    expect(diagnostics.hasErrors).toBe(false);
    expect(strictify(diagnostics.items).every((d) => d.severity === 'error')).toBe(true);
  });
});

describe('the shipped definitions files (issue 2.3)', () => {
  const dir = join(SAMPLES, 'definitions');
  const eventFiles = readdirSync(dir).filter((f) => f.endsWith('.yaml') && f !== 'event_pipeline.yaml');
  it('finds the event definition files', () => expect(eventFiles.length).toBeGreaterThanOrEqual(2));
  for (const f of [...eventFiles.map((x) => join(dir, x)), join(SAMPLES, 'event_definitions.yaml')]) {
    it(`${f.split('/').slice(-2).join('/')} compiles without errors`, () => {
      const { rules, diagnostics } = loadDefinitions(f, readFileSync(f, 'utf8'));
      expect(diagnostics.items.filter((d) => d.severity === 'error').map(renderText)).toEqual([]);
      expect(rules).not.toBeNull();
    });
  }
  it('reports the shadowed objectstore.http.request at its line (263) in the real file', () => {
    const f = join(SAMPLES, 'event_definitions.yaml');
    const text = readFileSync(f, 'utf8');
    const shadow = loadDefinitions(f, text).diagnostics.items.filter((d) => d.code === 'HW401');
    expect(shadow).toHaveLength(1);
    expect(shadow[0]!.span.file.position(shadow[0]!.span.start).line).toBe(263);
    expect(text.split('\n')[262]).toContain('objectstore.http.request');
    expect(shadow[0]!.message).toContain("'*http.*'");
  });
  it('event_pipeline.yaml is a pipeline file, not definitions: a diagnostic, as Ceilometer would fail', () => {
    const f = join(dir, 'event_pipeline.yaml');
    expect(diag(readFileSync(f, 'utf8'))).toContain('2:1 error HE103');
  });
});

describe('the command line reports diagnostics, never a stack trace', () => {
  const herald = join(ROOT, 'bin', 'herald.mjs');
  const tmp = mkdtempSync(join(tmpdir(), 'herald-'));
  const file = (name: string, text: string): string => {
    const f = join(tmp, name);
    writeFileSync(f, text);
    return f;
  };
  it('renders FILE:LINE:COL: error CODE: message, the line and a caret; exit 1', () => {
    const f = file('bad.yaml', "- event_type: a\n  traits:\n    t: {fields: 'payload.bogus('}\n");
    const r = spawnSync(process.execPath, [herald, 'compile', '--definitions', f]);
    expect(r.status).toBe(1);
    const err = r.stderr.toString();
    expect(err.startsWith(`${f}:3:31: error HE306: Parse error in JSONPath`)).toBe(true);
    expect(err).toContain("3 |     t: {fields: 'payload.bogus('}");
    expect(err).toMatch(/\n {2}\| {31}\^\n/);
    expect(err).not.toMatch(/at .*\.ts:\d+/);
  });
  it('--format json prints one object per diagnostic', () => {
    const r = spawnSync(process.execPath, [herald, 'compile', '--definitions', file('top.yaml', 'x: 1\n'), '--format', 'json']);
    expect(r.status).toBe(1);
    const d = JSON.parse(r.stderr.toString().trim().split('\n')[0]!);
    expect(d).toMatchObject({ line: 1, column: 1, severity: 'error', code: 'HE103' });
  });
  it('garbage input lines become error results, not crashes', () => {
    const out = execFileSync(process.execPath, [herald, 'decode', '--definitions', join(SAMPLES, 'event_definitions.yaml'), '--interpret'], {
      input: '{not json\n[1,2]\n{"oslo.version": "3.0", "oslo.message": "{}"}\n' + '['.repeat(5000) + ']'.repeat(5000) + '\n',
    }).toString();
    const lines = out.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(4);
    for (const l of lines) expect(l.dropped).toBe(true);
  });
  it('usage errors exit 2', () => {
    expect(spawnSync(process.execPath, [herald, 'frobnicate']).status).toBe(2);
    expect(spawnSync(process.execPath, [herald, 'decode', '--bogus']).status).toBe(2);
  });
  it('a missing definitions file is an error, never a silent fallback', () => {
    const r = spawnSync(process.execPath, [herald, 'decode', '--definitions', '/nonexistent.yaml'], { input: '' });
    expect(r.status).toBe(1);
    expect(r.stderr.toString()).toContain('HE001');
  });
});

describe('diagnostics say where the first declaration is and point at the offending token (issue 12.9)', () => {
  const herald = join(ROOT, 'bin', 'herald.mjs');
  const settingsDiags = (ini: string) => loadSettings('settings.ini', ini, loadDefinitions('d.yaml', '- event_type: a\n  traits: {}\n').rules!).diagnostics.items;
  const at = (d: { span: { file: { position(o: number): { line: number; column: number } }; start: number } }) => {
    const p = d.span.file.position(d.span.start);
    return `${p.line}:${p.column}`;
  };

  it('a duplicate option has a note at the first one (text and JSON)', () => {
    // Option names are case-insensitive (optionxform lower-cases them).
    const [d, ...rest] = settingsDiags('[WEBSOCKET]\nport = 8080\nhost = 127.0.0.1\nPort = 9090\n');
    expect(rest).toEqual([]);
    expect(`${at(d!)} ${d!.code}`).toBe('4:1 HE601');
    expect(renderText(d!)).toBe(
      "settings.ini:4:1: error HE601: option 'port' in section 'WEBSOCKET' already exists\n  |\n4 | Port = 9090\n  | ^^^^\n  note: settings.ini:2:1: first declared here",
    );
    expect(JSON.parse(renderJson(d!)).notes).toEqual([{ message: 'first declared here', location: 'settings.ini:2:1', file: 'settings.ini', line: 2, column: 1 }]);
  });

  it('a duplicate section has a note at the first header', () => {
    const [d] = settingsDiags('[WEBSOCKET]\nport = 8080\n\n[WEBSOCKET]\nhost = 127.0.0.1\n');
    expect(`${at(d!)} ${d!.code} ${d!.message}`).toBe("4:2 HE601 section 'WEBSOCKET' already exists");
    expect(d!.notes.map((n) => `${location(n.span!)}: ${n.message}`)).toEqual(['settings.ini:1:2: first declared here']);
  });

  it('herald compile prints the note under the caret, and in --format json', () => {
    const dir = mkdtempSync(join(tmpdir(), 'herald-dup-'));
    writeFileSync(join(dir, 'event_definitions.yaml'), '- event_type: a\n  traits: {}\n');
    writeFileSync(join(dir, 'settings.ini'), '[WEBSOCKET]\nport = 8080\nport = 9090\n');
    const text = spawnSync(process.execPath, [herald, 'compile', '--rules', dir, '--out', join(dir, 'out')], { encoding: 'utf8' });
    expect(text.status).toBe(1);
    expect(text.stderr).toContain(`${dir}/settings.ini:3:1: error HE601: option 'port' in section 'WEBSOCKET' already exists\n  |\n3 | port = 9090\n  | ^^^^\n  note: ${dir}/settings.ini:2:1: first declared here\n`);
    const json = spawnSync(process.execPath, [herald, 'compile', '--rules', dir, '--out', join(dir, 'out'), '--format', 'json'], { encoding: 'utf8' });
    const d = JSON.parse(json.stderr.trim().split('\n')[0]!);
    expect(d).toMatchObject({ line: 3, column: 1, code: 'HE601', notes: [{ message: 'first declared here', line: 2, column: 1 }] });
  });

  // [title, yaml, expected line:col, the text the caret underlines]
  const yamlCases: Array<[string, string, string, string]> = [
    ['an unclosed [ points at the [', '- event_type: a\n  traits:\n    x: [1, 2\n', '3:8', '['],
    ['an unclosed { points at the {, not the next line', '- event_type: a\n  traits:\n    x: {fields: payload.x\n    y: 1\n', '3:8', '{'],
    ['an unterminated quote points at the quote', "- event_type: a\n  traits:\n    x: 'unterminated\n", '3:8', "'"],
    ['a mis-indented key points at the key', '- event_type: a\n  traits:\n    x:\n      fields: payload.x\n     type: int\n', '5:6', 'type'],
    ['a flow sequence left open at the top', '- event_type: [a, b\n  traits: {}\n', '1:15', '['],
    ['a tab in the indentation points at the tab', '- event_type: a\n  traits:\n\tx: y\n', '3:1', '\t'],
  ];
  for (const [title, yaml, where, token] of yamlCases) {
    it(`YAML: ${title}`, () => {
      const { diagnostics } = loadDefinitions('t.yaml', yaml);
      const d = diagnostics.items[0]!;
      expect(d.code).toBe('HE101');
      expect(at(d)).toBe(where);
      expect(yaml.slice(d.span.start, d.span.end)).toBe(token);
    });
  }

  it('herald compile --format json gives the YAML token column', () => {
    const dir = mkdtempSync(join(tmpdir(), 'herald-yaml-'));
    const f = join(dir, 'bad.yaml');
    writeFileSync(f, '- event_type: a\n  traits:\n    x: [1, 2\n');
    const r = spawnSync(process.execPath, [herald, 'compile', '--definitions', f, '--format', 'json'], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(JSON.parse(r.stderr.trim().split('\n')[0]!)).toMatchObject({ line: 3, column: 8, code: 'HE101' });
  });
});

describe('bitfield parameters as Ceilometer reads them (int/float audit)', () => {
  const bitfield = (params: string) => `- event_type: a\n  traits:\n    t: {fields: payload.a, type: int, plugin: {name: bitfield, parameters: ${params}}}\n`;
  it('a float or string bit is int()-ed, as BitfieldTraitPlugin does: no diagnostic', () => {
    expect(diag(bitfield('{flags: [{path: payload.a, bit: 2.0}, {path: payload.a, bit: "3"}]}'))).toEqual([]);
  });
  it('a bit int() cannot read is an error', () => {
    expect(diag(bitfield('{flags: [{path: payload.a, bit: two}]}'))).toEqual(['3:76 error HE305']);
  });
  it('a float initial_bitfield is a warning: kept as is, TypeError once a flag is set', () => {
    expect(diag(bitfield('{initial_bitfield: 2.0, flags: [{path: payload.a, bit: 1}]}'))).toEqual(['3:76 warning HW410']);
  });
});
