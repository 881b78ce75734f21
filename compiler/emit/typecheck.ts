// Type-check generated files in memory (ts-morph over the real runtime sources) before anything
// is written; a type error inside a definition's function is reported at that definition.
import { Project, ts } from 'ts-morph';
import type { DiagnosticBag } from '../diagnostics.js';
import { Codes } from '../messages.js';
import type { FunctionSite } from './decoders.js';
export type { FunctionSite };

export interface GeneratedFile {
  /** Absolute path the file will have. */
  path: string;
  text: string;
  functions: FunctionSite[];
}

const COMPILER_OPTIONS: ts.CompilerOptions = {
  strict: true,
  noUncheckedIndexedAccess: true,
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  lib: ['lib.es2022.d.ts'],
  types: [],
  noEmit: true,
  allowImportingTsExtensions: true,
  skipLibCheck: true,
};

/** Adds one HE501 per type error; returns the number of errors. */
export function typeCheckGenerated(files: GeneratedFile[], diags: DiagnosticBag): number {
  const project = new Project({ compilerOptions: COMPILER_OPTIONS, skipAddingFilesFromTsConfig: true });
  const sources = files.map((f) => ({ f, sf: project.createSourceFile(f.path, f.text, { overwrite: true }) }));
  let errors = 0;
  for (const { f, sf } of sources) {
    const ranges = f.functions.map((site) => {
      const fn = sf.getFunctionOrThrow(site.name);
      return { site, from: fn.getStartLineNumber(true), to: fn.getEndLineNumber() };
    });
    for (const d of sf.getPreEmitDiagnostics()) {
      if (d.getCategory() !== ts.DiagnosticCategory.Error) continue;
      errors++;
      const line = d.getLineNumber() ?? 0;
      const text = ts.flattenDiagnosticMessageText(d.compilerObject.messageText, '\n');
      const inFn = ranges.find((r) => line >= r.from && line <= r.to);
      const where = `${f.path}:${line}`;
      if (inFn) diags.error(Codes.GeneratedTypeError, `the code generated for this ${inFn.site.what} does not type-check: ${text} (${where}, function ${inFn.site.name})`, inFn.site.span);
      else if (f.functions[0]) diags.error(Codes.GeneratedTypeError, `the generated module does not type-check: ${text} (${where})`, f.functions[0].span);
    }
  }
  return errors;
}
