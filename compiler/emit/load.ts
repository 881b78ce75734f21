// Load a generated decoders module without writing it anywhere: esbuild strips the types and
// the module runs with the runtime as its only import. Used for rules that differ from
// generated/ (`herald decode --definitions`, tests); the shipped path imports generated/.
import { transformSync } from 'esbuild';
import * as rt from '../../runtime/decode/rt.js';
import { emitDecoders } from './decoders.js';
import type { RuleSet } from '../model.js';

export function loadGenerated(text: string, runtimeImport: string): rt.CompiledRules {
  const js = transformSync(text, { loader: 'ts', format: 'cjs', target: 'node20' }).code;
  const module: { exports: Record<string, unknown> } = { exports: {} };
  const require = (spec: string): unknown => {
    if (spec === runtimeImport) return rt;
    throw new Error(`generated code may import only ${runtimeImport}, not ${spec}`);
  };
  new Function('module', 'exports', 'require', js)(module, module.exports, require);
  return module.exports.rules as rt.CompiledRules;
}

/** Emit and load a rule set's decoders in one step (no files, no type-check). */
export function compileInMemory(rules: RuleSet, runtimeImport = '../runtime/decode/rt.js'): rt.CompiledRules {
  return loadGenerated(emitDecoders(rules, { runtimeImport }).text, runtimeImport);
}
