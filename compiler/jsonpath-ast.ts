// The JSONPath dialect of jsonpath-rw 1.4.0 + jsonpath-rw-ext 1.2.2 as an AST.
// Offsets are relative to the path string; the front end maps them into the rule file.
import { PyFloat } from '../runtime/semantics/pyvalue.js';

export interface PathSpan {
  start: number;
  end: number;
}

export type FilterValue = { kind: 'str'; value: string } | { kind: 'int'; value: number | bigint } | { kind: 'float'; value: number } | { kind: 'bool'; value: boolean };

export interface FilterExpr {
  target: JsonPath;
  op: '=' | '==' | '!=' | '<' | '<=' | '>' | '>=' | '~' | null;
  value: FilterValue | null;
  /** For `~`: the Python pattern translated to a JS RegExp source (flags 'u'). */
  regex?: string;
}

export type Operand = { kind: 'path'; path: JsonPath } | { kind: 'int'; value: number | bigint } | { kind: 'float'; value: number } | { kind: 'str'; value: string };

export interface SortKey {
  path: JsonPath;
  descending: boolean;
}

export type JsonPath =
  | { kind: 'root'; span: PathSpan }
  | { kind: 'this'; span: PathSpan }
  | { kind: 'parent'; span: PathSpan }
  | { kind: 'fields'; names: string[]; span: PathSpan }
  | { kind: 'index'; index: number; span: PathSpan }
  | { kind: 'slice'; start: number | null; end: number | null; span: PathSpan }
  | { kind: 'child' | 'descendants' | 'union' | 'intersect' | 'where'; left: JsonPath; right: JsonPath; span: PathSpan }
  | { kind: 'len'; span: PathSpan }
  | { kind: 'sorted'; keys: SortKey[] | null; span: PathSpan }
  | { kind: 'split'; sep: string; segment: number; maxSplit: number; span: PathSpan }
  | { kind: 'sub'; pattern: string; repl: string; jsPattern: string; jsRepl: string; span: PathSpan }
  | { kind: 'filter'; exprs: FilterExpr[]; span: PathSpan }
  | { kind: 'operation'; left: Operand; op: '+' | '-' | '*' | '/'; right: Operand; span: PathSpan };

/** Walk every node of a path. */
export function* walkPath(p: JsonPath): Generator<JsonPath> {
  yield p;
  switch (p.kind) {
    case 'child':
    case 'descendants':
    case 'union':
    case 'intersect':
    case 'where':
      yield* walkPath(p.left);
      yield* walkPath(p.right);
      break;
    case 'sorted':
      for (const k of p.keys ?? []) yield* walkPath(k.path);
      break;
    case 'filter':
      for (const e of p.exprs) yield* walkPath(e.target);
      break;
    case 'operation':
      if (p.left.kind === 'path') yield* walkPath(p.left.path);
      if (p.right.kind === 'path') yield* walkPath(p.right.path);
      break;
  }
}

/** The value a filter literal compares as: integral floats stay floats (1.0 is not 1 to str()). */
export function filterLiteral(v: FilterValue): string | number | bigint | boolean | PyFloat {
  return v.kind === 'float' && Number.isInteger(v.value) ? new PyFloat(v.value) : v.value;
}
