// herald compile | decode | transform | explain (cli.md). Exit codes: 0 ok, 1 input errors, 2 usage.
import { readFileSync, existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { loadDefinitions } from './check/definitions.js';
import { renderHeadline, renderJson, renderText, strictify, type Diagnostic } from './diagnostics.js';
import { interpreter } from './interpret/decode.js';
import { decodeLine, formatResult, type DecodedEvent, type DecodeOptions, type DefinitionMatcher } from '../runtime/semantics/event.js';
import { compiledMatcher } from '../runtime/decode/rt.js';
import { compileRules, compiledRulesFor, compiledTransformsFor, staleFiles, writeFiles } from './compile.js';
import { compiledTransformer } from '../runtime/transform/rt.js';
import { Codes } from './messages.js';
import { loadSettings } from './check/settings.js';
import type { Settings } from './transform-model.js';
import { interpretTransform } from './interpret/transform.js';
import { formatTransform } from '../runtime/semantics/transform.js';
import { parsePyJson } from '../runtime/semantics/pyjson.js';
import type { PyValue } from '../runtime/semantics/pyvalue.js';
import type { DecodeResult } from '../runtime/semantics/event.js';
import { explain } from './explain.js';
import { parseFlags, UsageError } from '../runtime/cli/flags.js';
import { SERVE_FLAGS, TOKEN_FLAGS } from '../runtime/cli/runtime-flags.js';
import type { RuleSet } from './model.js';

/** Every command's flags: the parser's tables, and what `herald help` must list (a test checks). */
export const FLAGS = {
  compile: {
      rules: { type: 'string', default: 'rules' },
      out: { type: 'string', default: 'generated' },
      definitions: { type: 'string' },
      strict: { type: 'boolean', default: false },
      check: { type: 'boolean', default: false },
      format: { type: 'string', default: 'text' },
  },
  decode: {
      rules: { type: 'string' },
      definitions: { type: 'string' },
      interpret: { type: 'boolean', default: false },
      'drop-unmatched': { type: 'boolean', default: false },
      'store-raw': { type: 'string', multiple: true },
      'include-raw': { type: 'boolean', default: false },
      strict: { type: 'boolean', default: false },
      format: { type: 'string', default: 'text' },
      'show-warnings': { type: 'boolean', default: false },
  },
  transform: { rules: { type: 'string', default: 'rules' }, interpret: { type: 'boolean', default: false }, strict: { type: 'boolean', default: false }, format: { type: 'string', default: 'text' } },
  explain: { rules: { type: 'string', default: 'rules' } },
  serve: SERVE_FLAGS,
  token: TOKEN_FLAGS,
} as const;

export const USAGE = `usage: herald <command> [options]

commands:
  compile [--rules DIR | --definitions FILE] [--out DIR] [--check] [--strict] [--format text|json]
          check the rules, emit generated/ (--check: write nothing, exit 1 when generated/ is stale)
  decode  [--rules DIR | --definitions FILE] [--interpret] [--drop-unmatched] [--store-raw LEVEL]...
          [--include-raw] [--strict] [--format text|json] [--show-warnings]
          JSON lines on stdin -> events on stdout
  transform [--rules DIR] [--interpret] [--strict] [--format text|json]
          JSON lines on stdin -> UI messages on stdout
  explain [--rules DIR]
          one notification on stdin -> how the rules treat it
  serve   [--config FILE] [--rules DIR]
          the gateway (embedded HTTP ingest when no broker is configured)
  token   --sub USER [--projects P1,P2] [--ttl SECONDS] [--config FILE | --secret S] [--audience A] [--issuer I]
          mint an HS256 token with the configured jwt_secret (or --secret)
  help    this text

--format text|json: how diagnostics are printed; --strict: warnings are errors.
Exit codes: 0 success, 1 the input has errors, 2 usage error.`;


/** `--format` is text or json; anything else is a usage error, not a silent fallback. */
function checkFormat(command: string, format: string | undefined): void {
  if (format !== 'text' && format !== 'json') throw new UsageError(`herald ${command}: --format must be text or json, not '${format}'`);
}

function printDiagnostics(diags: Diagnostic[], format: string): void {
  for (const d of diags) process.stderr.write((format === 'json' ? renderJson(d) : renderText(d)) + '\n');
}

/** One output line per input line (blank and `#` lines skipped), written in batches. */
async function mapStdinLines(each: (line: string) => string): Promise<void> {
  const rl = createInterface({ input: process.stdin, crlfDelay: Infinity });
  const out: string[] = [];
  const flush = (): void => {
    if (out.length) process.stdout.write(out.join('\n') + '\n');
    out.length = 0;
  };
  for await (const line of rl) {
    const s = line.trim();
    if (!s || s.startsWith('#')) continue;
    out.push(each(s));
    if (out.length >= 256) flush();
  }
  flush();
}

interface Loaded {
  rules: RuleSet | null;
  exitCode: number;
}

/** HE001 for `path`, through the one renderer. */
function fileNotFound(path: string, message: string): void {
  process.stderr.write(renderHeadline({ code: Codes.FileNotFound, severity: 'error', message, origin: path, notes: [] }) + '\n');
}

/** The file's text, or null after printing HE001. */
function readSource(path: string): string | null {
  if (!existsSync(path)) {
    fileNotFound(path, 'file not found (Herald never falls back to a packaged default, unlike Ceilometer)');
    return null;
  }
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    fileNotFound(path, `cannot read the file: ${(e as Error).message}`);
    return null;
  }
}

function loadRules(path: string, strict: boolean, format: string, quietWarnings = false): Loaded {
  const text = readSource(path);
  if (text === null) return { rules: null, exitCode: 1 };
  const { rules, diagnostics } = loadDefinitions(path, text);
  const diags = strict ? strictify(diagnostics.items) : diagnostics.items;
  const errors = diags.some((d) => d.severity === 'error');
  printDiagnostics(quietWarnings && !errors ? [] : diags, format);
  if (errors || !rules) return { rules: null, exitCode: 1 };
  return { rules, exitCode: 0 };
}

async function cmdDecode(args: string[]): Promise<number> {
  const values = parseFlags('decode', args, FLAGS.decode);
  checkFormat('decode', values.format);
  if (values.rules && values.definitions) throw new UsageError('use either --rules DIR or --definitions FILE');
  const path = values.definitions ?? `${values.rules ?? 'rules'}/event_definitions.yaml`;
  const loaded = loadRules(path, values.strict!, values.format!, !values['show-warnings']);
  if (!loaded.rules) return loaded.exitCode;
  const opts: DecodeOptions = {
    dropUnmatched: values['drop-unmatched'],
    storeRaw: values['store-raw'] ?? [],
    includeRaw: values['include-raw'] || (values['store-raw']?.length ?? 0) > 0,
  };
  const matcher: DefinitionMatcher<unknown> = values.interpret
    ? interpreter(loaded.rules, opts.dropUnmatched)
    : compiledMatcher((await compiledRulesFor(loaded.rules)).compiled, opts.dropUnmatched);
  await mapStdinLines((line) => formatResult(decodeLine(matcher, line, opts)));
  return 0;
}

function cmdCompile(args: string[]): number {
  const values = parseFlags('compile', args, FLAGS.compile);
  checkFormat('compile', values.format);
  const path = values.definitions ?? `${values.rules}/event_definitions.yaml`;
  const text = readSource(path);
  if (text === null) return 1;
  const started = performance.now();
  const iniPath = `${values.rules}/settings.ini`;
  let settingsText: string | undefined;
  if (!values.definitions && existsSync(iniPath)) {
    const t = readSource(iniPath);
    if (t === null) return 1;
    settingsText = t;
  }
  const result = compileRules({ definitionsPath: path, definitionsText: text, settingsPath: settingsText === undefined ? undefined : iniPath, settingsText, outDir: values.out!, typeCheck: true });
  const diags = values.strict ? strictify(result.diagnostics) : result.diagnostics;
  printDiagnostics(diags, values.format!);
  if (diags.some((d) => d.severity === 'error') || result.files.size === 0) return 1;
  const seconds = ((performance.now() - started) / 1000).toFixed(2);
  if (values.check) {
    const stale = staleFiles(values.out!, result.files);
    for (const f of stale) process.stderr.write(`${f}: error ${Codes.StaleGenerated}: out of date with ${path}; run \`npm run compile\` and commit the result\n`);
    if (stale.length) return 1;
    process.stderr.write(`herald: ${values.out} is up to date with ${path} (${seconds} s)\n`);
    return 0;
  }
  const written = writeFiles(values.out!, result.files);
  const defs = result.rules!.definitions.length;
  const entries = result.settings ? `, ${result.settings.transformers.length} transformer entries from ${iniPath}` : '';
  process.stderr.write(`herald: ${defs} definitions from ${path}${entries} -> ${values.out}/ (${written.length ? `wrote ${written.join(', ')}` : 'unchanged'}; type-checked in ${result.typeCheckSeconds.toFixed(2)} s, ${seconds} s in all)\n`);
  return 0;
}

interface LoadedRules {
  rules: RuleSet;
  settings: Settings | null;
  exitCode: number;
}

/** rules/event_definitions.yaml and, when present, rules/settings.ini, checked together. */
function loadRuleDir(dir: string, strict: boolean, format: string, quietWarnings: boolean, needSettings: boolean): LoadedRules | number {
  const loaded = loadRules(`${dir}/event_definitions.yaml`, strict, format, quietWarnings);
  if (!loaded.rules) return loaded.exitCode;
  const iniPath = `${dir}/settings.ini`;
  if (!existsSync(iniPath)) {
    if (!needSettings) return { rules: loaded.rules, settings: null, exitCode: 0 };
    fileNotFound(iniPath, 'file not found');
    return 1;
  }
  const text = readSource(iniPath);
  if (text === null) return 1;
  const { settings, diagnostics } = loadSettings(iniPath, text, loaded.rules);
  const diags = strict ? strictify(diagnostics.items) : diagnostics.items;
  const errors = diags.some((d) => d.severity === 'error');
  printDiagnostics(quietWarnings && !errors ? [] : diags, format);
  if (errors || !settings) return 1;
  return { rules: loaded.rules, settings, exitCode: 0 };
}

/** The message id of an input line, even when decoding produced no event. */
function messageIdOf(line: string, r: DecodeResult): PyValue {
  if (r.kind === 'event') return r.event.message_id;
  try {
    let v = parsePyJson(line);
    if (v instanceof Map && typeof v.get('oslo.message') === 'string') v = parsePyJson(v.get('oslo.message') as string);
    if (!(v instanceof Map)) return null;
    const meta = v.get('metadata');
    return v.get('message_id') ?? (meta instanceof Map ? meta.get('message_id') ?? null : null);
  } catch {
    return null;
  }
}


async function cmdTransform(args: string[]): Promise<number> {
  const values = parseFlags('transform', args, FLAGS.transform);
  checkFormat('transform', values.format);
  const loaded = loadRuleDir(values.rules!, values.strict!, values.format!, true, true);
  if (typeof loaded === 'number') return loaded;
  const settings = loaded.settings!;
  const matcher: DefinitionMatcher<unknown> = values.interpret ? interpreter(loaded.rules) : compiledMatcher((await compiledRulesFor(loaded.rules)).compiled);
  const transform = values.interpret ? (e: DecodedEvent) => interpretTransform(settings.transformers, e) : compiledTransformer((await compiledTransformsFor(loaded.rules, settings)).compiled);
  await mapStdinLines((line) => {
    const r = decodeLine(matcher, line);
    const outputs = r.kind === 'event' ? transform(r.event) : [];
    return formatTransform(messageIdOf(line, r), r, outputs);
  });
  return 0;
}

async function cmdExplain(args: string[]): Promise<number> {
  const values = parseFlags('explain', args, FLAGS.explain);
  const loaded = loadRuleDir(values.rules!, false, 'text', true, false);
  if (typeof loaded === 'number') return loaded;
  let text = '';
  for await (const chunk of process.stdin) text += chunk;
  process.stdout.write(explain(loaded.rules, loaded.settings, text.trim()));
  return 0;
}

/** `herald serve`: the runtime with generated/, or with DIR compiled now (--rules DIR). */
async function cmdServe(args: string[]): Promise<number> {
  const values = parseFlags('serve', args, SERVE_FLAGS);
  const runtime = await import('../runtime/main.js');
  if (!values.rules) return runtime.serveMain(args);
  const loaded = loadRuleDir(values.rules, false, 'text', true, true);
  if (typeof loaded === 'number') return loaded;
  const rules = (await compiledRulesFor(loaded.rules)).compiled;
  const transforms = (await compiledTransformsFor(loaded.rules, loaded.settings!)).compiled;
  return runtime.serveMain(values.config ? ['--config', values.config] : [], { rules, transforms, from: values.rules });
}

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    switch (cmd) {
      case 'decode':
        return await cmdDecode(rest);
      case 'compile':
        return cmdCompile(rest);
      case 'transform':
        return await cmdTransform(rest);
      case 'explain':
        return await cmdExplain(rest);
      case 'serve':
        return await cmdServe(rest);
      case 'token':
        return await (await import('../runtime/main.js')).tokenMain(rest);
      case undefined:
      case '-h':
      case '--help':
      case 'help':
        process.stdout.write(USAGE + '\n');
        return cmd === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command '${cmd}'`);
    }
  } catch (e) {
    if (e instanceof UsageError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      const message = (e as Error).message;
      process.stderr.write(`${message.startsWith('herald ') ? message : `herald: ${message}`}\n\n${USAGE}\n`);
      return 2;
    }
    throw e;
  }
}
