// `herald compile`: rules -> checked model -> generated TypeScript -> type-checked -> written
// (or compared, with --check). Nothing is written unless every step succeeds.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { loadDefinitions } from './check/definitions.js';
import { DiagnosticBag, type Diagnostic } from './diagnostics.js';
import { emitDecoders } from './emit/decoders.js';
import { typeCheckGenerated, type GeneratedFile } from './emit/typecheck.js';
import type { RuleSet } from './model.js';
import { compileInMemory } from './emit/load.js';
import type { CompiledRules } from '../runtime/decode/rt.js';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const RUNTIME_ENTRY = join(REPO_ROOT, 'runtime', 'decode', 'rt.js');

/** The import specifier of the runtime as seen from a file in `outDir`. */
export function runtimeImportFrom(outDir: string): string {
  let rel = relative(resolve(outDir), RUNTIME_ENTRY).split(sep).join('/');
  if (!rel.startsWith('.')) rel = './' + rel;
  return rel;
}

export interface CompileOutput {
  rules: RuleSet | null;
  /** Relative file name -> text. Empty when there are errors. */
  files: Map<string, string>;
  diagnostics: Diagnostic[];
  typeCheckSeconds: number;
}

export interface CompileInput {
  definitionsPath: string;
  definitionsText: string;
  outDir: string;
  typeCheck: boolean;
}

export function compileRules(input: CompileInput): CompileOutput {
  const { rules, diagnostics } = loadDefinitions(input.definitionsPath, input.definitionsText);
  const files = new Map<string, string>();
  if (!rules || diagnostics.hasErrors) return { rules, files, diagnostics: diagnostics.items, typeCheckSeconds: 0 };
  const decoders = emitDecoders(rules, { runtimeImport: runtimeImportFrom(input.outDir) });
  let typeCheckSeconds = 0;
  if (input.typeCheck) {
    const started = performance.now();
    const generated: GeneratedFile[] = [{ path: resolve(input.outDir, 'decoders.ts'), text: decoders.text, functions: decoders.functions }];
    const bag = new DiagnosticBag();
    typeCheckGenerated(generated, bag);
    typeCheckSeconds = (performance.now() - started) / 1000;
    if (bag.hasErrors) return { rules, files, diagnostics: [...diagnostics.items, ...bag.items], typeCheckSeconds };
  }
  files.set('decoders.ts', decoders.text);
  return { rules, files, diagnostics: diagnostics.items, typeCheckSeconds };
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
