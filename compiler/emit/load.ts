// Load a generated decoders module without writing it anywhere: esbuild strips the types and
// the module runs with the runtime as its only import. Used for rules that differ from
// generated/ (`herald decode --definitions`, tests); the shipped path imports generated/.
import { transformSync } from 'esbuild';
import * as rt from '../../runtime/decode/rt.js';
import * as trt from '../../runtime/transform/rt.js';
import { emitDecoders } from './decoders.js';
import { emitTransformers } from './transformers.js';
import type { Settings } from '../transform-model.js';
import type { RuleSet } from '../model.js';

/** A generated module's exports; `runtimeImport` is the one import it may have at run time. */
function loadModule(text: string, runtimeImport: string, runtime: object): Record<string, unknown> {
  const js = transformSync(text, { loader: 'ts', format: 'cjs', target: 'node20' }).code;
  const module: { exports: Record<string, unknown> } = { exports: {} };
  const require = (spec: string): unknown => {
    if (spec === runtimeImport) return runtime;
    throw new Error(`generated code may import only ${runtimeImport}, not ${spec}`);
  };
  new Function('module', 'exports', 'require', js)(module, module.exports, require);
  return module.exports;
}

function loadGenerated(text: string, runtimeImport: string): rt.CompiledRules {
  return loadModule(text, runtimeImport, rt).rules as rt.CompiledRules;
}

/** Emit and load a transformer list in one step (no files, no type-check). */
export function compileTransformsInMemory(rules: RuleSet, settings: Settings, runtimeImport = '../runtime/transform/rt.js'): trt.CompiledTransforms {
  const text = emitTransformers(rules, settings, { runtimeImport, decodersImport: './decoders.js' }).text;
  return loadModule(text, runtimeImport, trt).transforms as trt.CompiledTransforms;
}

/** Emit and load a rule set's decoders in one step (no files, no type-check). */
export function compileInMemory(rules: RuleSet, runtimeImport = '../runtime/decode/rt.js'): rt.CompiledRules {
  return loadGenerated(emitDecoders(rules, { runtimeImport }).text, runtimeImport);
}
