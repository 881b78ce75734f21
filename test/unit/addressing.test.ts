// Issue 13: typed addressing. The template KEY names the audience's kind (`toid` users,
// `toproject` projects), checked at compile time; a value is an id, verbatim, so data can
// never turn a user address into a project address.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDefinitions } from '../../compiler/check/definitions.js';
import { loadSettings } from '../../compiler/check/settings.js';
import { compileInMemory, compileTransformsInMemory } from '../../compiler/emit/load.js';
import { renderCatalogue } from '../../compiler/catalogue/catalogue.js';
import { makePipeline } from '../../runtime/gateway/pipeline.js';
import { parsePyJson } from '../../runtime/semantics/pyjson.js';
import { addressIds, audienceOf } from '../../runtime/semantics/address.js';
import type { PyDict, PyValue } from '../../runtime/semantics/pyvalue.js';
import { ROOT } from '../helpers.js';

const YAML = `- event_type: share.*
  traits:
    owner:
      fields: payload.owner
    project:
      fields: payload.project
    n:
      type: int
      fields: payload.n
`;
const ini = (traits: string): string => `[NOTIFY_MANAGER]
transformer = [
    {'event_type': 'share.create', 'event_define': {'event_type': 'websocket.send', 'traits': {${traits}, 'message': {'n': '@traits.n'}}}},
  ]
`;
const TYPED = ini("'toid': '@traits.owner', 'toproject': '@traits.project'");

function compile(iniText: string) {
  const { rules } = loadDefinitions('rules.yaml', YAML);
  const { settings, diagnostics } = loadSettings('settings.ini', iniText, rules!);
  return { rules: rules!, settings, diagnostics, rendered: diagnostics.items.map((d) => `${d.span ? `${d.span.file.path}:` : ''}${d.severity} ${d.code}: ${d.message}`) };
}

function pipelineFor(iniText: string) {
  const { rules, settings } = compile(iniText);
  return makePipeline(compileInMemory(rules), compileTransformsInMemory(rules, settings!));
}

function note(payload: object): PyDict {
  const m = parsePyJson(JSON.stringify({ event_type: 'share.create', priority: 'INFO', message_id: 'm1', timestamp: '2026-01-01 00:00:00', publisher_id: 'p', payload }));
  if (!(m instanceof Map)) throw new Error('a notification is a dict');
  return m;
}

describe('typed addressing: compile time', () => {
  it('a rule addressing a project from a trait compiles cleanly', () => {
    const { settings, diagnostics } = compile(TYPED);
    expect(diagnostics.items).toEqual([]);
    expect(settings).not.toBeNull();
  });

  it("'toproject' is type-checked like any @ reference", () => {
    const { settings, rendered } = compile(ini("'toproject': '@traits.projct'"));
    expect(settings).toBeNull();
    expect(rendered.join('\n')).toMatch(/error HE608: unknown trait 'projct'.*did you mean 'project'\?/);
  });

  it('an output with neither address key is an error naming both', () => {
    const { settings, rendered } = compile(ini("'message_type': 'x'"));
    expect(settings).toBeNull();
    expect(rendered).toContain("settings.ini:error HE607: websocket.send output has no address: it needs 'toid' (users) or 'toproject' (projects)");
  });

  it('an address that is not ids (a dict, a number) is an error', () => {
    const { settings, rendered } = compile(ini("'toproject': {'id': '@traits.project'}, 'toid': ['@traits.owner', 7]"));
    expect(settings).toBeNull();
    expect(rendered.filter((r) => r.includes('HE615'))).toEqual([
      "settings.ini:error HE615: 'toproject' holds project ids: a string, an @ reference, or a list of them",
      "settings.ini:error HE615: 'toid' holds user ids: a string, an @ reference, or a list of them",
    ]);
  });

  it("a literal toid 'project:p1' warns at its line and column and names the project key", () => {
    const text = ini("'toid': ['@traits.owner', 'project:p1']");
    const { settings, diagnostics } = compile(text);
    expect(settings).not.toBeNull();
    const [d] = diagnostics.items;
    expect(d!.code).toBe('HW616');
    expect(d!.message).toBe("'project:p1' in 'toid' is the user id 'project:p1': Herald reads no prefix in an address, the key decides the kind; to address the project 'p1' write 'toproject': 'p1'");
    expect(text.slice(d!.span!.start, d!.span!.end)).toBe("'project:p1'");
  });

  it("a prefixed literal in toproject warns too (the prefix would be part of the id)", () => {
    const { diagnostics } = compile(ini("'toproject': 'project:p1'"));
    expect(diagnostics.items.map((d) => `${d.code}: ${d.message}`)).toEqual(["HW616: 'project:p1' in 'toproject' is the project id 'project:p1': Herald reads no prefix in an address, the key decides the kind; write 'p1'"]);
  });
});

describe('typed addressing: run time', () => {
  it('toproject values are projects, toid values users; data carries neither key', () => {
    const p = pipelineFor(TYPED)(note({ owner: 'u1', project: 'p9', n: 3 }));
    expect(p.pushes).toMatchObject([{ users: ['u1'], projects: ['p9'], data: '{"message":{"n":3}}' }]);
    expect(p.unaddressed).toEqual([]);
  });

  it("a trait value 'project:…' reaching toid stays a user address (no prefix is read)", () => {
    const p = pipelineFor(TYPED)(note({ owner: 'project:p9', project: null, n: 1 }));
    expect(p.pushes).toMatchObject([{ users: ['project:p9'], projects: [], data: '{"message":{"n":1}}' }]);
    const q = pipelineFor(TYPED)(note({ owner: 'user:u1', project: 'project:p2', n: 1 }));
    expect(q.pushes[0]).toMatchObject({ users: ['user:u1'], projects: ['project:p2'] });
  });

  it('no address value at all: not delivered, counted with its rule', () => {
    const p = pipelineFor(TYPED)(note({ n: 1 }));
    expect(p.pushes).toEqual([]);
    expect(p.unaddressed).toEqual([{ rule: 'settings.ini:3:20', messageId: 'm1' }]);
  });

  it('ids are taken verbatim: strings and ints; empty, null, bools and containers address nobody', () => {
    expect(addressIds(['a', '', null, true, 5, 2n ** 60n, ['x'], new Map()])).toEqual(['a', '5', '1152921504606846976']);
    expect(audienceOf(new Map<string, PyValue>([['toid', 'project:x'], ['toproject', ['p1', 'p2']]]))).toEqual({ users: ['project:x'], projects: ['p1', 'p2'] });
  });
});

describe('typed addressing: catalogue and explain', () => {
  it('the catalogue names each audience by kind', () => {
    const { rules, settings } = compile(TYPED);
    const html = renderCatalogue(rules, settings);
    expect(html).toContain('addressed to <code>users ‹owner: text› (toid); projects ‹project: text› (toproject)</code>');
    expect(html).not.toContain('&quot;toproject&quot;');
  });

  it('herald explain prints who receives the output, by kind', () => {
    const dir = mkdtempSync(join(tmpdir(), 'herald-addr-'));
    writeFileSync(join(dir, 'event_definitions.yaml'), YAML);
    writeFileSync(join(dir, 'settings.ini'), TYPED);
    const line = JSON.stringify({ event_type: 'share.create', priority: 'INFO', message_id: 'm1', timestamp: '2026-01-01 00:00:00', payload: { owner: 'project:x', project: 'p9', n: 1 } });
    const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'herald.mjs'), 'explain', '--rules', dir], { cwd: ROOT, input: line, encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('  -> websocket.send: {"toid": "project:x", "toproject": "p9", "message": {"n": 1}}\n     to users "project:x" and projects "p9"\n');
  });

  it('the shipped rules address the resource owner and its project', () => {
    const html = readFileSync(join(ROOT, 'generated', 'catalogue.html'), 'utf8');
    expect(html).toContain('addressed to <code>users ‹user_id: text› (toid); projects ‹project_id: text› (toproject)</code>');
  });
});
