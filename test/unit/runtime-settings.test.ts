// transform.md §5: the gateway's reading of settings.ini: schema checks shared with the
// compiler, HERALD_<SECTION>__<OPTION> overrides, and the transformer digest serve compares.
import { describe, expect, it } from 'vitest';
import { readIni } from '../../runtime/config/ini.js';
import { applyEnvironment, digestOfOption, optionOf, readRuntimeOptions } from '../../runtime/config/settings.js';

const ini = (text: string) => readRuntimeOptions(readIni({ text }));

describe('runtime settings', () => {
  it('file values, then environment overrides, then schema defaults', () => {
    const r = ini('[WEBSOCKET]\nport = 8081\nhost = 0.0.0.0\n[MESSAGE_COLLECTOR]\ntransport_url = rabbit://u:p@h:5672/\n');
    expect(r.problems).toEqual([]);
    const problems = applyEnvironment(r.values, { HERALD_WEBSOCKET__PORT: '9000', HERALD_MESSAGE_COLLECTOR__EXCHANGES: "['nova', 'cinder']", HERALD_PROPERTY_RUNS: '5' });
    expect(problems).toEqual([]);
    expect(optionOf(r.values, 'WEBSOCKET', 'port')).toBe(9000);
    expect(optionOf(r.values, 'WEBSOCKET', 'host')).toBe('0.0.0.0');
    expect(optionOf(r.values, 'MESSAGE_COLLECTOR', 'exchanges')).toEqual(['nova', 'cinder']);
    expect(optionOf(r.values, 'MESSAGE_COLLECTOR', 'transport_url')).toBe('rabbit://u:p@h:5672/');
    expect(optionOf(r.values, 'MESSAGE_COLLECTOR', 'queue')).toBe('herald');
  });

  it('unknown or ill-typed overrides are errors naming the variable, with did-you-mean', () => {
    const r = ini('');
    const problems = applyEnvironment(r.values, { HERALD_WEBSOCKET__PROT: '1', HERALD_WEBSOKET__PORT: '1', HERALD_WEBSOCKET__PORT: 'eighty' });
    expect(problems.map((p) => `${p.code} ${p.message}`).sort()).toEqual([
      "HE610 environment variable HERALD_WEBSOCKET__PROT: unknown option 'prot' in [WEBSOCKET]; did you mean 'port'?",
      'HE610 environment variable HERALD_WEBSOKET__PORT: unknown section [WEBSOKET]; did you mean \'WEBSOCKET\'?',
      'HE611 environment variable HERALD_WEBSOCKET__PORT: option \'port\' must be a non-negative integer, not "eighty"',
    ]);
  });

  it('file problems carry offsets into the file', () => {
    const text = '[WEBSOCKET]\nport = [1]\nbogus = 1\n';
    const r = ini(text);
    expect(r.problems.map((p) => [p.code, text.slice(p.start, p.end)])).toEqual([
      ['HE611', '[1]'],
      ['HE610', 'bogus'],
    ]);
  });

  it('the transformer digest ignores layout and comments, not values', () => {
    const digest = (t: string) => {
      const d = digestOfOption(ini(`[NOTIFY_MANAGER]\ntransformer = ${t}\n`).transformer!);
      return 'digest' in d ? d.digest : d.problem.message;
    };
    const a = digest("[{'event_type': 'a', 'n': 1}]");
    expect(digest("[\n  # a comment\n  {'event_type': \"a\",\n   'n': 1},\n  ]")).toBe(a);
    expect(digest("[{'event_type': 'a', 'n': 1.0}]")).not.toBe(a);
    expect(digest("[{'n': 1, 'event_type': 'a'}]")).not.toBe(a);
    expect(digest('[{')).toMatch(/not a valid Python literal/);
  });
});
