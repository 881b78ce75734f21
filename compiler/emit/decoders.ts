// The decoders module: dispatch tables, one function per definition, one trait type per
// definition, and the table of definition sites. Built as ts-morph structures and printed once.
import { Project, StructureKind, VariableDeclarationKind, type StatementStructures, type OptionalKind, type SourceFileStructure } from 'ts-morph';
import type { EventDef, Plugin, RuleSet, TraitDef, TraitType } from '../model.js';
import { location, type Span } from '../source.js';
import { globLiteral, globToRegExpSource, parseGlob } from '../../runtime/semantics/glob.js';
import { literalEventTypes, winnerFinder } from '../model.js';
import { commentText, ident, int, pyLit, regex, str, prop } from './codegen.js';
import { emitStepPath, emitValuePath, isValuePath, type EmitScope } from './paths.js';
import { definitionReads, readTreeLiteral } from './reads.js';

export interface EmitOptions {
  /** Import specifier of runtime/decode/rt.ts as seen from the generated file. */
  runtimeImport: string;
}

/** A generated function and the rule it was made from (to map type errors back). */
export interface FunctionSite {
  name: string;
  /** 'definition' or 'transformer entry', for messages. */
  what: string;
  span: Span;
}

export interface EmittedModule {
  text: string;
  functions: FunctionSite[];
}

const PUSH: Record<TraitType, string> = { text: 'pushText', none: 'pushNone', int: 'pushInt', float: 'pushFloat', datetime: 'pushDatetime' };
const TS_TYPE: Record<TraitType, string> = { text: 'string', none: 'string', int: 'number | bigint', float: 'number', datetime: 'string' };

// Paths whose value-read code would grow past this (unions inside long chains duplicate the
// rest of the chain) use the step functions instead.
const MAX_VALUE_CODE = 20000;

class Scope implements EmitScope {
  readonly hoisted: Array<{ name: string; type: string; expr: string }> = [];
  private byText = new Map<string, string>();
  private counters = new Map<string, number>();
  private next(prefix: string): number {
    const n = this.counters.get(prefix) ?? 0;
    this.counters.set(prefix, n + 1);
    return n;
  }
  hoist(prefix: string, type: string, expr: string): string {
    // Identical constants (a merged anchor's paths, say) are emitted once. Closures over fresh
    // parameter names never repeat textually, so they are not shared.
    const key = `${type}\u0000${expr}`;
    const known = this.byText.get(key);
    if (known) return known;
    const name = ident(prefix + '_', this.next('hoist:' + prefix));
    this.hoisted.push({ name, type, expr });
    this.byText.set(key, name);
    return name;
  }
  fresh(prefix: string): string {
    return ident(prefix, this.next('local:' + prefix));
  }
}

function pluginCall(p: Plugin, matches: string, scope: Scope): string {
  switch (p.name) {
    case 'split':
      return `rt.splitPlugin(${matches}, ${p.separator === null ? 'null' : str(p.separator)}, ${int(p.segment)}, ${p.maxSplit === null ? 'null' : int(p.maxSplit)})`;
    case 'bitfield': {
      const flags = p.flags.map((f) => `{ path: ${pyLit(f.path)}, bit: ${int(f.bit)}${f.value === undefined ? '' : `, value: ${pyLit(f.value)}`} }`);
      return `rt.bitfieldPlugin(${matches}, ${pyLit(p.initial)}, ${scope.hoist('FLAGS', 'readonly rt.BitfieldFlag[]', `[${flags.join(', ')}]`)})`;
    }
    case 'timedelta':
      return `rt.timedeltaPlugin(${matches})`;
    case 'map': {
      const table = scope.hoist('MAP', 'ReadonlyArray<[rt.PyValue, rt.PyValue]>', `[${p.values.map(([k, v]) => `[${pyLit(k)}, ${pyLit(v)}]`).join(', ')}]`);
      return `rt.mapPlugin(${matches}, ${table}, ${pyLit(p.defaultValue)}, ${p.caseSensitive})`;
    }
  }
}

/** Statements computing one trait into `out`; `root` is the body as a datum when needed. */
function traitStatements(t: TraitDef, scope: Scope, needsRoot: () => void): string[] {
  const where = `${t.name} (${t.type}) from ${location(t.span)}${t.getter.kind === 'path' ? `: ${t.getter.source}` : ''}`;
  const lines = [`// ${commentText(where)}`];
  const push = (expr: string): string => `rt.${PUSH[t.type]}(out, ${str(t.name)}, ${expr});`;
  if (t.getter.kind === 'const') {
    lines.push(push(pyLit(t.getter.value)));
    return lines;
  }
  const path = t.getter.path;
  const valueMode = isValuePath(path) && t.plugin?.name !== 'bitfield';
  if (valueMode && !t.plugin) {
    const label = scope.fresh('t');
    const code = emitValuePath(path, 'body', true, scope, (v) => `if (${v} !== undefined && ${v} !== null) {\nv = ${v};\nbreak ${label};\n}`);
    if (code.length <= MAX_VALUE_CODE) {
      lines.push('v = undefined;', `${label}: {\n${code}\n}`, push('v'));
      return lines;
    }
  }
  if (valueMode && t.plugin) {
    const m = scope.fresh('matches');
    const code = emitValuePath(path, 'body', true, scope, (v) => `if (${v} !== undefined && ${v} !== null) ${m}.push(["", ${v}]);`);
    if (code.length <= MAX_VALUE_CODE) {
      lines.push(`const ${m}: rt.PluginMatch[] = [];`, code, push(`rt.firstNonNull(${pluginCall(t.plugin, m, scope)})`));
      return lines;
    }
  }
  needsRoot();
  const matches = emitStepPath(path, 'root', scope);
  lines.push(push(t.plugin ? `rt.firstNonNull(${pluginCall(t.plugin, `rt.pluginMatches(${matches})`, scope)})` : `rt.firstValue(${matches})`));
  return lines;
}

function definitionFunction(def: EventDef, name: string, scope: Scope): OptionalKind<import('ts-morph').FunctionDeclarationStructure> {
  let usesRoot = false;
  const body: string[] = [];
  for (const t of def.traits) body.push(...traitStatements(t, scope, () => (usesRoot = true)));
  const head = ['const out: rt.Trait[] = [];', 'let v: rt.PyValue | undefined;'];
  if (usesRoot) head.push('const root: rt.Match = rt.wrap(body);');
  return {
    name,
    parameters: [{ name: 'body', type: 'rt.PyDict' }],
    returnType: 'rt.Trait[]',
    statements: [...head, ...body, 'return out;'],
    leadingTrivia: `// ${commentText(`${location(def.span)} event_type: ${def.label}`)}\n`,
  };
}

function traitInterface(def: EventDef, name: string): StatementStructures {
  const byName = new Map<string, TraitType>();
  for (const t of def.traits) byName.set(t.name, t.type);
  return {
    kind: StructureKind.Interface,
    name,
    isExported: true,
    leadingTrivia: `// Traits of ${commentText(def.label)} (${commentText(location(def.span))}); absent when the value is None.\n`,
    properties: [...byName].map(([n, type]) => ({ name: prop(n), type: TS_TYPE[type], hasQuestionToken: true, isReadonly: true })),
  };
}

/** The winner of each literal event type, in full match order (globs of later definitions included). */
function exactTable(rules: RuleSet): Array<[string, number]> {
  const winner = winnerFinder(rules, true);
  return literalEventTypes(rules.definitions).map((t) => [t, winner(t)?.index ?? -1]);
}

function globEntries(rules: RuleSet): string[] {
  const out: string[] = [];
  for (const d of [...rules.definitions].reverse()) {
    const globs = d.included.filter((p) => globLiteral(parseGlob(p)) === null);
    if (!globs.length) continue;
    const exclude = d.excluded.map((p) => {
      const lit = globLiteral(parseGlob(p));
      return lit !== null ? str(lit) : regex(globToRegExpSource(parseGlob(p)), 'su');
    });
    out.push(`// ${commentText(`${location(d.span)} event_type: ${d.label}`)}\n{ def: ${int(d.index)}, include: [${globs.map((p) => regex(globToRegExpSource(parseGlob(p)), 'su')).join(', ')}], exclude: [${exclude.join(', ')}] }`);
  }
  return out;
}

let emitted = 0;
const builder = new Project({ useInMemoryFileSystem: true, compilerOptions: { strict: true } });

export function emitDecoders(rules: RuleSet, opts: EmitOptions): EmittedModule {
  const scope = new Scope();
  const functions: FunctionSite[] = [];
  const fnStatements: StatementStructures[] = [];
  const types: StatementStructures[] = [];
  const all = [...rules.definitions, rules.builtinCatchAll];
  for (const def of all) {
    const name = def.index < 0 ? 'builtinCatchAll' : ident('definition', def.index);
    const typeName = def.index < 0 ? 'BuiltinCatchAllTraits' : ident('Definition', def.index) + 'Traits';
    functions.push({ name, what: 'definition', span: def.span });
    fnStatements.push({ kind: StructureKind.Function, ...definitionFunction(def, name, scope) });
    types.push(traitInterface(def, typeName));
  }
  const site = (d: EventDef): string => `{ index: ${int(d.index)}, label: ${str(d.label)}, location: ${str(location(d.span))} }`;
  const constant = (name: string, type: string, initializer: string, isExported = false, comment?: string): StatementStructures => ({
    kind: StructureKind.VariableStatement,
    declarationKind: VariableDeclarationKind.Const,
    isExported,
    leadingTrivia: comment ? `// ${commentText(comment)}\n` : undefined,
    declarations: [{ name, type, initializer }],
  });
  const exact = exactTable(rules);
  const reads = (d: EventDef): string => scope.hoist('READS', 'rt.ReadTree', readTreeLiteral(definitionReads(d)));
  const readsList = rules.definitions.map(reads);
  const builtinReads = reads(rules.builtinCatchAll);
  const structure: OptionalKind<SourceFileStructure> = {
    statements: [
      `// Generated by \`herald compile\` from ${commentText(rules.path)}`,
      `// sha256 ${commentText(rules.sha256)}. Do not edit: change the rules and run \`npm run compile\`.`,
      `/* eslint-disable */`,
      { kind: StructureKind.ImportDeclaration, namespaceImport: 'rt', moduleSpecifier: opts.runtimeImport },
      ...scope.hoisted.map((h) => constant(h.name, h.type, h.expr)),
      ...types,
      ...fnStatements,
      constant('DEFINITIONS', 'readonly rt.DefinitionSite[]', `[\n${rules.definitions.map(site).join(',\n')}\n]`, false, 'Where each definition is written, by index.'),
      constant('EXACT', 'ReadonlyMap<string, number>', `new Map<string, number>([\n${exact.map(([t, w]) => `[${str(t)}, ${int(w)}]`).join(',\n')}\n])`, false, 'Winner of every literal event type (-1: none in the file), later glob definitions included.'),
      constant('GLOBS', 'readonly rt.GlobEntry[]', `[\n${globEntries(rules).join(',\n')}\n]`, false, 'Definitions with glob patterns, in match order (last in the file first).'),
      constant(
        'rules',
        'rt.CompiledRules',
        `{
source: { path: ${str(rules.path)}, sha256: ${str(rules.sha256)} },
definitions: DEFINITIONS,
builtin: ${site(rules.builtinCatchAll)},
exact: EXACT,
globs: GLOBS,
hasCatchAll: ${rules.definitions.some((d) => d.isCatchAll)},
fileCallsFnmatch: ${rules.definitions.some((d) => d.included.length > 0)},
traits: [${rules.definitions.map((d) => ident('definition', d.index)).join(', ')}],
builtinTraits: builtinCatchAll,
reads: [${readsList.join(', ')}],
builtinReads: ${builtinReads},
}`,
        true,
      ),
    ],
  };
  // A fresh file name per call: ts-morph's formatter keeps state per path.
  const sf = builder.createSourceFile(`/emit/${++emitted}/decoders.ts`, structure);
  sf.formatText({ indentSize: 2, convertTabsToSpaces: true });
  const text = sf.getFullText();
  builder.removeSourceFile(sf);
  return { text, functions };
}
