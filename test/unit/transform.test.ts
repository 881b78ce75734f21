// Issue 4: settings.ini transformers: the seed's example end to end, type-checked references,
// precise diagnostics, and `herald explain`.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, SAMPLES } from '../helpers.js';

const SEED = join(SAMPLES, 'seed');
const herald = (args: string[], input?: string) => spawnSync(process.execPath, [join(ROOT, 'bin', 'herald.mjs'), ...args], { cwd: ROOT, input, encoding: 'utf8' });

/** A rules dir with the seed's definitions and the given settings.ini text. */
function rulesDir(settings: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'herald-rules-'));
  cpSync(join(SEED, 'event_definitions.yaml'), join(dir, 'event_definitions.yaml'));
  writeFileSync(join(dir, 'settings.ini'), settings);
  return dir;
}
const seedIni = readFileSync(join(SEED, 'settings.ini'), 'utf8');
const notification = readFileSync(join(SEED, 'volume.create.end.json'), 'utf8');

/** line:col (1-based, code points) of the first occurrence of `needle` in `text`. */
function position(text: string, needle: string, skip = 0): string {
  const at = text.indexOf(needle) + skip;
  const before = text.slice(0, at).split('\n');
  return `${before.length}:${Array.from(before[before.length - 1]!).length + 1}`;
}

describe('herald transform', () => {
  it.each([[[]], [['--interpret']]])("the seed's example gives exactly the documented output %s", (flags: string[]) => {
    const r = herald(['transform', '--rules', rulesDir(seedIni), ...flags], notification);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(readFileSync(join(SEED, 'expected.transform.json'), 'utf8').trim() + '\n');
  });

  it('an event no entry matches gives no outputs; an undecodable line says why', () => {
    const other = notification.replace('volume.create.end', 'volume.delete.end');
    const r = herald(['transform', '--rules', rulesDir(seedIni)], other + '\nnot json\n');
    const [a, b] = r.stdout.trim().split('\n');
    expect(a).toBe('{"message_id": "5f1c7a52-6b1e-4d8e-9a61-0c2b1a9f3e77", "outputs": []}');
    expect(b).toMatch(/^\{"message_id": null, "outputs": \[\], "dropped": "invalid JSON: /);
  });
});

describe('transformer diagnostics', () => {
  it("'@traits.usr_id' is an error at its INI line and column, with did-you-mean", () => {
    const ini = seedIni.replace('@traits.user_id', '@traits.usr_id');
    const dir = rulesDir(ini);
    const r = herald(['transform', '--rules', dir], notification);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`${dir}/settings.ini:${position(ini, "'@traits.usr_id'")}: error HE608: unknown trait 'usr_id'`);
    expect(r.stderr).toMatch(/did you mean 'user_id'\?/);
    expect(r.stderr).toContain(`'volume.create.*' (${dir}/event_definitions.yaml:4:15)`);
  });

  it('a trait only some reachable definitions produce is a warning naming the others', () => {
    const defs = readFileSync(join(SEED, 'event_definitions.yaml'), 'utf8') + "- event_type: 'volume.create.error'\n  traits:\n    code:\n      fields: payload.code\n";
    const dir = rulesDir(seedIni.replace("'event_type': 'volume.create.end'", "'event_type': 'volume.create.*'"));
    writeFileSync(join(dir, 'event_definitions.yaml'), defs);
    const r = herald(['compile', '--rules', dir, '--out', join(dir, 'out')]);
    expect(r.stderr).toMatch(/settings\.ini:\d+:\d+: warning HW612: trait 'resource_id' exists only in some definitions that decode 'volume\.create\.\*': 'volume\.create\.error' \(.*event_definitions\.yaml:30:15\) lack it/);
    expect(r.status).toBe(0);
  });

  // [name, settings.ini, where the error points (text, offset into it), message]
  const broken: Array<[string, string, string, number, string]> = [
    // Without the comma, 'created' 'option' is one string (implicit concatenation): the ':' is the error.
    ['a syntax error inside the literal', seedIni.replace("'state': 'created',", "'state': 'created'"), "'option': 'reload'", 8, "error HE602: transformer is not a valid Python literal: expected ',' or '}' but found \":\""],
    ['an unknown key', seedIni.replace("'event_define': {", "'event_defin': {"), "'event_defin'", 0, "error HE604: unknown key 'event_defin'"],
    ['a missing toid', seedIni.replace("'toid': '@traits.user_id',", ''), "'traits': {", 10, "error HE607: websocket.send output has no address: it needs 'toid' (users) or 'toproject' (projects)"],
    ['an unknown sink', seedIni.replace("'websocket.send'", "'websocket.sned'"), "'websocket.sned'", 0, "error HE606: unknown sink 'websocket.sned'"],
  ];
  it.each(broken)('%s: exit 1, exact position, generated/ untouched', (_name, ini, needle, skip, message) => {
    const dir = rulesDir(ini);
    const out = join(dir, 'generated');
    const r = herald(['compile', '--rules', dir, '--out', out]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`${dir}/settings.ini:${position(ini, needle, skip)}: ${message}`);
    expect(existsSync(out)).toBe(false);
  });

  it('an unknown runtime option is an error with did-you-mean', () => {
    const ini = seedIni + '\n[WEBSOCKET]\nprot = 8080\n';
    const r = herald(['compile', '--rules', rulesDir(ini), '--out', join(tmpdir(), 'unused-herald-out')]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/settings\.ini:\d+:1: error HE610: unknown option 'prot' in \[WEBSOCKET\]; did you mean 'port'/);
  });
});

describe('herald explain', () => {
  it('shows the winning definition with its line, each trait with path, value and type, and the frame', () => {
    const dir = rulesDir(seedIni);
    const r = herald(['explain', '--rules', dir], notification);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`'volume.create.*' (${dir}/event_definitions.yaml:4:15): WINS`);
    expect(r.stdout).toContain(`  resource_id: text from payload.volume_id (${dir}/event_definitions.yaml:20:5) = "v9" -> text "v9"`);
    expect(r.stdout).toContain(`  user_id: text from (payload.user_id)|(ctxt.user_id)`);
    expect(r.stdout).toContain('-> websocket.send: {"toid": "u1", "message_event": "STATES", "message_type": "volume", "message": {"resource_id": "v9", "name": "data", "state": "created", "option": "reload"}}');
  });

  it('on a real volume.create.end from the corpus with the shipped rules/', () => {
    const line = readFileSync(join(SAMPLES, 'corpus', 'notifications.jsonl'), 'utf8').split('\n').find((l) => l.includes('"event_type": "volume.create.end"'))!;
    const r = herald(['explain'], line);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/\(rules\/event_definitions\.yaml:95:15\): WINS/);
    expect(r.stdout).toContain('  created_at: datetime from payload.created_at (rules/event_definitions.yaml:88:5) = "2014-10-28 09:31:20" -> datetime "2014-10-28T09:31:20"');
    expect(r.stdout).toContain('  size: int from payload.size (rules/event_definitions.yaml:102:5) = 1 -> int 1');
    expect(r.stdout).toMatch(/-> websocket\.send: \{"toid": "bcb7746c7a41472d88a1ffac89ba6a9b", "toproject": "(\w+)", "message_event": "STATES", "message_type": "volume", .*\n     to users "bcb7746c7a41472d88a1ffac89ba6a9b" and projects "\1"\n/);
  });
});
