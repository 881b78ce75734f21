// The transformers module: one function per [NOTIFY_MANAGER] transformer entry, its template
// compiled into straight-line construction code, each typed against the trait interfaces of the
// definitions that can reach it (so tsc re-checks every `@traits.` reference), plus the table of
// which entries fire for each literal event type.
import { Project, StructureKind, VariableDeclarationKind, type OptionalKind, type SourceFileStructure, type StatementStructures } from 'ts-morph';
import type { EventDef, RuleSet } from '../model.js';
import { patternMatcher } from '../model.js';
import { location } from '../source.js';
import type { Settings, Template, Transformer } from '../transform-model.js';
import { globLiteral, globToRegExpSource, parseGlob } from '../../runtime/semantics/glob.js';
import { commentText, ident, int, pyLit, regex, str } from './codegen.js';
import type { EmittedModule, FunctionSite } from './decoders.js';

export interface TransformerEmitOptions {
  /** Import specifier of runtime/transform/rt.ts as seen from the generated file. */
  runtimeImport: string;
  /** Import specifier of the decoders module (for the trait interfaces). */
  decodersImport: string;
}

/** The name of a definition's trait interface in the decoders module. */
export function traitInterfaceName(def: EventDef): string {
  return def.index < 0 ? 'BuiltinCatchAllTraits' : ident('Definition', def.index) + 'Traits';
}

function templateExpr(t: Template): string {
  switch (t.kind) {
    case 'literal':
      return pyLit(t.value);
    case 'trait':
      return `traits.get(${str(t.name)})`;
    case 'field':
      return `e.${t.field}`;
    case 'list':
      return `[${t.items.map(templateExpr).join(', ')}]`;
    case 'dict':
      return `new Map<string, rt.PyValue>([\n${t.entries.map(([k, x]) => `[${str(k)}, ${templateExpr(x)}]`).join(',\n')}\n])`;
  }
}

function patternRegex(p: string): string {
  const lit = globLiteral(parseGlob(p));
  return lit !== null ? str(lit) : regex(globToRegExpSource(parseGlob(p)), 'su');
}

/** Entries firing for each literal event type either rule file names. */
function exactTable(rules: RuleSet, transformers: Transformer[]): Array<[string, number[]]> {
  const literals = new Set<string>();
  const add = (p: string): void => {
    const lit = globLiteral(parseGlob(p));
    if (lit !== null) literals.add(lit);
  };
  for (const d of rules.definitions) d.included.forEach(add);
  for (const t of transformers) t.included.forEach(add);
  const accepts = transformers.map((t) => ({ t, accepts: patternMatcher(t) }));
  return [...literals].sort().map((lit) => [lit, accepts.filter((a) => a.accepts(lit)).map((a) => a.t.index)]);
}

let emitted = 0;
const builder = new Project({ useInMemoryFileSystem: true, compilerOptions: { strict: true } });

export function emitTransformers(rules: RuleSet, settings: Settings, opts: TransformerEmitOptions): EmittedModule {
  const functions: FunctionSite[] = [];
  const statements: StatementStructures[] = [];
  const usedInterfaces = new Set<string>();
  const sites: string[] = [];
  for (const t of settings.transformers) {
    const name = ident('transformer', t.index);
    const typeName = ident('Transformer', t.index) + 'Traits';
    const reached = t.reachable.map(traitInterfaceName);
    reached.forEach((n) => usedInterfaces.add(n));
    const where = `${location(t.span)} entry ${t.index + 1}: ${t.label} -> ${t.sink}`;
    const from = t.reachable.length ? `decoded by ${t.reachable.map((d) => `'${d.label}' (${location(d.span)})`).join(', ')}` : 'no definition reaches it';
    statements.push({
      kind: StructureKind.TypeAlias,
      name: typeName,
      type: reached.length ? `rt.AnyOf<${reached.join(' | ')}>` : 'rt.AnyTraits',
      leadingTrivia: `// ${commentText(`Traits entry ${t.index + 1} may read: ${from}.`)}\n`,
    });
    statements.push({
      kind: StructureKind.Function,
      name,
      parameters: [
        { name: 'e', type: 'rt.DecodedEvent' },
        { name: 'traits', type: `rt.TraitView<${typeName}>` },
      ],
      returnType: 'rt.PyValue',
      statements: [`return ${templateExpr(t.template)};`],
      leadingTrivia: `// ${commentText(where)}\n`,
    });
    functions.push({ name, what: 'transformer entry', span: t.span });
    sites.push(
      `{ index: ${int(t.index)}, location: ${str(location(t.span))}, label: ${str(t.label)}, sink: ${str(t.sink)}, include: [${t.included.map(patternRegex).join(', ')}], exclude: [${t.excluded.map(patternRegex).join(', ')}], run: ${name} }`,
    );
  }
  const constant = (n: string, type: string, initializer: string, isExported: boolean, comment: string): StatementStructures => ({
    kind: StructureKind.VariableStatement,
    declarationKind: VariableDeclarationKind.Const,
    isExported,
    leadingTrivia: `// ${commentText(comment)}\n`,
    declarations: [{ name: n, type, initializer }],
  });
  const exact = exactTable(rules, settings.transformers);
  const structure: OptionalKind<SourceFileStructure> = {
    statements: [
      `// Generated by \`herald compile\` from ${commentText(settings.path)} ([NOTIFY_MANAGER] transformer),`,
      `// typed against ${commentText(rules.path)}. Do not edit: change the rules and run \`npm run compile\`.`,
      `/* eslint-disable */`,
      { kind: StructureKind.ImportDeclaration, namespaceImport: 'rt', moduleSpecifier: opts.runtimeImport },
      ...(usedInterfaces.size ? [{ kind: StructureKind.ImportDeclaration, isTypeOnly: true, namedImports: [...usedInterfaces].sort((a, b) => a.localeCompare(b, 'en', { numeric: true })), moduleSpecifier: opts.decodersImport } as StatementStructures] : []),
      ...statements,
      constant('TRANSFORMERS', 'readonly rt.TransformerSite[]', `[\n${sites.join(',\n')}\n]`, false, 'Every entry in list order.'),
      constant('EXACT', 'ReadonlyMap<string, readonly number[]>', `new Map<string, readonly number[]>([\n${exact.map(([k, v]) => `[${str(k)}, [${v.map(int).join(', ')}]]`).join(',\n')}\n])`, false, 'Entries that fire for every literal event type of either rule file.'),
      constant(
        'transforms',
        'rt.CompiledTransforms',
        `{
source: { path: ${str(settings.path)}, sha256: ${str(settings.sha256)}, transformerDigest: ${str(settings.transformerDigest)} },
definitionsSha256: ${str(rules.sha256)},
transformers: TRANSFORMERS,
exact: EXACT,
}`,
        true,
        'What the gateway runs.',
      ),
    ],
  };
  const sf = builder.createSourceFile(`/emit/${++emitted}/transformers.ts`, structure);
  sf.formatText({ indentSize: 2, convertTabsToSpaces: true });
  const text = sf.getFullText();
  builder.removeSourceFile(sf);
  return { text, functions };
}
