// `herald compile`: rules -> checked model -> generated TypeScript -> type-checked -> written
// (or compared, with --check). Nothing is written unless every step succeeds.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { loadDefinitions } from './check/definitions.js';
import { DiagnosticBag, type Diagnostic } from './diagnostics.js';
import { emitDecoders } from './emit/decoders.js';
import { emitTransformers } from './emit/transformers.js';
import { loadSettings } from './check/settings.js';
import { renderCatalogue } from './catalogue/catalogue.js';
import type { Settings } from './transform-model.js';
import type { CompiledTransforms } from '../runtime/transform/rt.js';
import { typeCheckGenerated, type GeneratedFile } from './emit/typecheck.js';
import type { RuleSet } from './model.js';
import { compileInMemory, compileTransformsInMemory } from './emit/load.js';
import type { CompiledRules } from '../runtime/decode/rt.js';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DECODE_RUNTIME = join(REPO_ROOT, 'runtime', 'decode', 'rt.js');
const TRANSFORM_RUNTIME = join(REPO_ROOT, 'runtime', 'transform', 'rt.js');

/** The import specifier of a runtime barrel as seen from a file in `outDir`. */
function runtimeImportFrom(outDir: string, entry = DECODE_RUNTIME): string {
  let rel = relative(resolve(outDir), entry).split(sep).join('/');
  if (!rel.startsWith('.')) rel = './' + rel;
  return rel;
}

export const transformRuntimeImportFrom = (outDir: string): string => runtimeImportFrom(outDir, TRANSFORM_RUNTIME);

export interface CompileOutput {
  rules: RuleSet | null;
  settings: Settings | null;
  /** Relative file name -> text. Empty when there are errors. */
  files: Map<string, string>;
  diagnostics: Diagnostic[];
  typeCheckSeconds: number;
}

export interface CompileInput {
  definitionsPath: string;
  definitionsText: string;
  /** settings.ini, when the rule directory has one. */
  settingsPath?: string;
  settingsText?: string;
  outDir: string;
  typeCheck: boolean;
}

export function compileRules(input: CompileInput): CompileOutput {
  const { rules, diagnostics } = loadDefinitions(input.definitionsPath, input.definitionsText);
  const files = new Map<string, string>();
  const done = (settings: Settings | null, extra: Diagnostic[] = [], typeCheckSeconds = 0): CompileOutput => ({ rules, settings, files, diagnostics: [...diagnostics.items, ...extra], typeCheckSeconds });
  if (!rules || diagnostics.hasErrors) return done(null);
  let settings: Settings | null = null;
  const settingsDiags: Diagnostic[] = [];
  if (input.settingsPath !== undefined && input.settingsText !== undefined) {
    const loaded = loadSettings(input.settingsPath, input.settingsText, rules);
    settingsDiags.push(...loaded.diagnostics.items);
    if (!loaded.settings) return done(null, settingsDiags);
    settings = loaded.settings;
  }
  const generated: GeneratedFile[] = [{ path: resolve(input.outDir, 'decoders.ts'), ...emitDecoders(rules, { runtimeImport: runtimeImportFrom(input.outDir) }) }];
  if (settings) {
    const emitted = emitTransformers(rules, settings, { runtimeImport: transformRuntimeImportFrom(input.outDir), decodersImport: './decoders.js' });
    generated.push({ path: resolve(input.outDir, 'transformers.ts'), ...emitted });
  }
  let typeCheckSeconds = 0;
  if (input.typeCheck) {
    const started = performance.now();
    const bag = new DiagnosticBag();
    typeCheckGenerated(generated, bag);
    typeCheckSeconds = (performance.now() - started) / 1000;
    if (bag.hasErrors) return done(settings, [...settingsDiags, ...bag.items], typeCheckSeconds);
  }
  for (const g of generated) files.set(basename(g.path), g.text);
  files.set('catalogue.html', renderCatalogue(rules, settings));
  return done(settings, settingsDiags, typeCheckSeconds);
}

/** Files in `outDir` that differ from what the rules produce now. */
export function staleFiles(outDir: string, files: Map<string, string>): string[] {
  const stale: string[] = [];
  for (const [name, text] of files) {
    const path = join(outDir, name);
    if (!existsSync(path) || readFileSync(path, 'utf8') !== text) stale.push(path);
  }
  return stale;
}

export function writeFiles(outDir: string, files: Map<string, string>): string[] {
  mkdirSync(outDir, { recursive: true });
  const written: string[] = [];
  for (const [name, text] of files) {
    const path = join(outDir, name);
    if (existsSync(path) && readFileSync(path, 'utf8') === text) continue;
    writeFileSync(path, text);
    written.push(path);
  }
  return written;
}

/**
 * Compiled rules for a checked rule set: generated/ when it was made from the same text,
 * otherwise compiled now and loaded in memory (no type-check: the emitter's output for a
 * checked rule set is covered by the compile-time type-check and the property tests).
 */
export async function compiledRulesFor(rules: RuleSet, generatedDir = join(REPO_ROOT, 'generated')): Promise<{ compiled: CompiledRules; from: string }> {
  const path = join(generatedDir, 'decoders.ts');
  if (existsSync(path)) {
    const mod = (await import(pathToFileURL(path).href)) as { rules?: CompiledRules };
    if (mod.rules?.source.sha256 === rules.sha256) return { compiled: mod.rules, from: path };
  }
  return { compiled: compileInMemory(rules), from: 'memory' };
}

/** Compiled transformers for checked settings: generated/ when made from the same rules, else compiled now in memory. */
export async function compiledTransformsFor(rules: RuleSet, settings: Settings, generatedDir = join(REPO_ROOT, 'generated')): Promise<{ compiled: CompiledTransforms; from: string }> {
  const path = join(generatedDir, 'transformers.ts');
  if (existsSync(path)) {
    const mod = (await import(pathToFileURL(path).href)) as { transforms?: CompiledTransforms };
    const t = mod.transforms;
    if (t && t.definitionsSha256 === rules.sha256 && t.source.transformerDigest === settings.transformerDigest) return { compiled: t, from: path };
  }
  return { compiled: compileTransformsInMemory(rules, settings), from: 'memory' };
}
