// settings.ini as the gateway reads it: the configparser file, runtime options checked against
// the schema, HERALD_<SECTION>__<OPTION> environment overrides, and the digest of the
// transformer list (what `herald serve` compares with the compiled one). `herald compile` checks
// the runtime sections with this same code, so build and run never disagree about a file.
import { createHash } from 'node:crypto';
import { readIni, type IniFile, type IniOption } from './ini.js';
import { LiteralError, literalValue, parsePyLiteral } from './pyliteral.js';
import { SETTINGS_SCHEMA, type OptionSpec } from './schema.js';
import { didYouMean } from './suggest.js';
import type { PyValue } from '../semantics/pyvalue.js';
import { dumpsTemplateOrder } from '../semantics/transform.js';

export const SettingsCodes = {
  IniSyntax: 'HE601',
  LiteralSyntax: 'HE602',
  UnknownOption: 'HE610',
  BadOptionValue: 'HE611',
} as const;

export interface SettingsProblem {
  code: (typeof SettingsCodes)[keyof typeof SettingsCodes];
  message: string;
  /** File offsets; absent for problems in environment variables. */
  start?: number;
  end?: number;
  /** For a duplicate section or option: where the first one is. */
  first?: { start: number; end: number };
}

/** A value as settings.ini means it: a Python literal when it parses as one, else the string. */
function optionValue(text: string): PyValue {
  try {
    return literalValue(parsePyLiteral(text));
  } catch {
    return text;
  }
}

function valueError(name: string, spec: OptionSpec, v: PyValue, written: string): string | null {
  const ok =
    spec.kind === 'string'
      ? typeof v === 'string' || v === null
      : spec.kind === 'int'
        ? typeof v === 'number' && Number.isInteger(v) && v >= 0
        : spec.kind === 'list'
          ? Array.isArray(v) && v.every((x) => typeof x === 'string')
          : spec.kind === 'bool'
            ? typeof v === 'boolean'
            : true;
  if (ok) return null;
  const want = spec.kind === 'list' ? 'a list of strings' : spec.kind === 'int' ? 'a non-negative integer' : spec.kind === 'bool' ? 'True or False' : `a ${spec.kind}`;
  return `option '${name}' must be ${want}, not ${JSON.stringify(written)}`;
}

function knownOptions(section: string | null): string[] {
  const schema = section ? SETTINGS_SCHEMA[section] : undefined;
  return schema ? Object.keys(schema) : Object.values(SETTINGS_SCHEMA).flatMap((s) => Object.keys(s));
}

export interface RuntimeOptionsRead {
  /** Checked values by section, file values then environment overrides. */
  values: Map<string, Map<string, PyValue>>;
  /** The [NOTIFY_MANAGER] transformer option as written, for the compiler or the digest. */
  transformer: IniOption | null;
  problems: SettingsProblem[];
}

/** The runtime sections of a parsed file: unknown sections and options, value kinds. */
export function readRuntimeOptions(ini: IniFile): RuntimeOptionsRead {
  const problems: SettingsProblem[] = ini.errors.map((e) => ({ code: SettingsCodes.IniSyntax, message: e.message, start: e.start, end: e.end, ...(e.first ? { first: e.first } : {}) }));
  const values = new Map<string, Map<string, PyValue>>();
  let transformer: IniOption | null = null;
  const sections = [...ini.sections.values()];
  if (ini.defaults.options.size) sections.push(ini.defaults);
  for (const section of sections) {
    const schema = SETTINGS_SCHEMA[section.name];
    if (!schema && section.name !== 'DEFAULT') {
      problems.push({ code: SettingsCodes.UnknownOption, message: `unknown section [${section.name}]${didYouMean(section.name, Object.keys(SETTINGS_SCHEMA))}`, start: section.start, end: section.end });
      continue;
    }
    const own = new Map<string, PyValue>();
    values.set(section.name, own);
    for (const opt of section.options.values()) {
      const spec = schema?.[opt.name] ?? Object.values(SETTINGS_SCHEMA).find((s) => s[opt.name])?.[opt.name];
      if (!spec) {
        problems.push({ code: SettingsCodes.UnknownOption, message: `unknown option '${opt.name}' in [${section.name}]${didYouMean(opt.name, knownOptions(schema ? section.name : null))}`, start: opt.nameStart, end: opt.nameEnd });
        continue;
      }
      if (spec.kind === 'transformer') {
        transformer = opt;
        continue;
      }
      const v = optionValue(opt.value.text);
      const bad = valueError(opt.name, spec, v, opt.value.text);
      const o = opt.value.offsets;
      if (bad) problems.push({ code: SettingsCodes.BadOptionValue, message: bad, start: o[0] ?? opt.nameEnd, end: o[o.length - 1] ?? opt.nameEnd });
      else own.set(opt.name, v);
    }
  }
  return { values, transformer, problems };
}

const ENV_OVERRIDE = /^HERALD_([A-Z0-9_]+?)__([A-Za-z0-9_]+)$/;

/** HERALD_<SECTION>__<OPTION> variables applied over the file's values. */
export function applyEnvironment(values: Map<string, Map<string, PyValue>>, env: NodeJS.ProcessEnv): SettingsProblem[] {
  const problems: SettingsProblem[] = [];
  for (const [name, text] of Object.entries(env)) {
    const m = ENV_OVERRIDE.exec(name);
    if (!m || text === undefined) continue;
    const section = m[1]!;
    const option = m[2]!.toLowerCase();
    const schema = SETTINGS_SCHEMA[section];
    if (!schema) {
      problems.push({ code: SettingsCodes.UnknownOption, message: `environment variable ${name}: unknown section [${section}]${didYouMean(section, Object.keys(SETTINGS_SCHEMA))}` });
      continue;
    }
    const spec = schema[option];
    if (!spec || spec.kind === 'transformer') {
      problems.push({ code: SettingsCodes.UnknownOption, message: `environment variable ${name}: ${spec ? 'the transformer list is compiled and cannot be overridden' : `unknown option '${option}' in [${section}]${didYouMean(option, Object.keys(schema))}`}` });
      continue;
    }
    const v = optionValue(text);
    const bad = valueError(option, spec, v, text);
    if (bad) problems.push({ code: SettingsCodes.BadOptionValue, message: `environment variable ${name}: ${bad}` });
    else {
      if (!values.has(section)) values.set(section, new Map());
      values.get(section)!.set(option, v);
    }
  }
  return problems;
}

/** What identifies a transformer list: its value (layout and comments do not count). */
export function transformerDigest(value: PyValue): string {
  return createHash('sha256').update(dumpsTemplateOrder(value)).digest('hex');
}

/** The digest of a transformer option as written, or a literal syntax problem. */
export function digestOfOption(opt: IniOption): { digest: string } | { problem: SettingsProblem } {
  try {
    return { digest: transformerDigest(literalValue(parsePyLiteral(opt.value.text))) };
  } catch (e) {
    if (!(e instanceof LiteralError)) throw e;
    const o = opt.value.offsets;
    return { problem: { code: SettingsCodes.LiteralSyntax, message: `transformer is not a valid Python literal: ${e.message}`, start: o[e.start] ?? 0, end: o[e.end] ?? o[e.start] ?? 0 } };
  }
}

/** A resolved option: environment, then file, then the schema's default. */
export function optionOf(values: Map<string, Map<string, PyValue>>, section: string, option: string): PyValue {
  const spec = SETTINGS_SCHEMA[section]?.[option];
  if (!spec) throw new Error(`no option ${section}.${option} in the schema`);
  const v = values.get(section)?.get(option) ?? values.get('DEFAULT')?.get(option);
  return v === undefined ? spec.default : v;
}

export { readIni, type IniFile };
