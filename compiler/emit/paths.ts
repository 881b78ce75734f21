// JSONPath -> TypeScript. Two shapes of code:
//  * value paths (fields, `.`, `|`, `$`, `@` only: the ones that cannot raise and need no
//    parent pointers) become nested own-key reads on Maps that stop at the first non-null value;
//  * every other path becomes a composition of the runtime's step functions in the order the
//    interpreter would walk the AST, over DatumInContext values.
import type { FilterExpr, JsonPath, Operand } from '../jsonpath-ast.js';
import { filterLiteral, walkPath } from '../jsonpath-ast.js';
import { filterRegexSource } from '../interpret/jsonpath.js';
import { int, num, pyLit, regex, str } from './codegen.js';

/** Module-level constants (regexes, field lists, closures) and fresh local names. */
export interface EmitScope {
  hoist(prefix: string, type: string, expr: string): string;
  fresh(prefix: string): string;
}

const VALUE_KINDS = new Set<JsonPath['kind']>(['fields', 'child', 'union', 'this', 'root', 'split', 'len']);

/**
 * True when the path reads values only: no step can raise and no parent pointer is needed.
 * `split` and `len` yield context-less data, so `$` after them is not the body: paths that
 * mix them with `$` take the step functions.
 */
export function isValuePath(p: JsonPath): boolean {
  let root = false;
  let contextless = false;
  for (const n of walkPath(p)) {
    if (!VALUE_KINDS.has(n.kind)) return false;
    if (n.kind === 'split' && n.sep === '') return false; // raises ValueError
    if (n.kind === 'root') root = true;
    if (n.kind === 'split' || n.kind === 'len') contextless = true;
  }
  return !(root && contextless);
}

/**
 * Code that runs `k(v)` for every match of a value path, in match order; `v` names a
 * `PyValue | undefined`, undefined meaning "no match". `input` names a PyValue or undefined;
 * `inputIsMap` skips the type test for the notification body.
 */
export function emitValuePath(p: JsonPath, input: string, inputIsMap: boolean, scope: EmitScope, k: (v: string) => string): string {
  switch (p.kind) {
    case 'this':
      return k(input);
    case 'root':
      return k('body');
    case 'child':
      return emitValuePath(p.left, input, inputIsMap, scope, (v) => emitValuePath(p.right, v, false, scope, k));
    case 'union':
      return emitValuePath(p.left, input, inputIsMap, scope, k) + '\n' + emitValuePath(p.right, input, inputIsMap, scope, k);
    case 'split': {
      const v = scope.fresh('v');
      return `const ${v} = ${input} === undefined ? undefined : rt.splitOperator(${input}, ${str(p.sep)}, ${int(p.segment)}, ${int(p.maxSplit)});\n${k(v)}`;
    }
    case 'len': {
      const v = scope.fresh('v');
      return `const ${v} = ${input} === undefined ? undefined : rt.pyLen(${input});\n${k(v)}`;
    }
    case 'fields': {
      let body: string;
      if (p.names.includes('*')) {
        const v = scope.fresh('v');
        body = `for (const ${v} of ${input}.values()) {\n${k(v)}\n}`;
      } else {
        body = p.names
          .map((name) => {
            const v = scope.fresh('v');
            return `const ${v} = ${input}.get(${str(name)});\n${k(v)}`;
          })
          .join('\n');
      }
      return inputIsMap ? body : `if (${input} instanceof Map) {\n${body}\n}`;
    }
    default:
      throw new Error(`emitValuePath: ${p.kind} is not a value step`);
  }
}

/** An expression of type rt.Match[]: the path's matches from the Match named `input`. */
export function emitStepPath(p: JsonPath, input: string, scope: EmitScope): string {
  const finder = (q: JsonPath): string => {
    const x = scope.fresh('m');
    return `(${x}: rt.Match): rt.Match[] => ${emitStepPath(q, x, scope)}`;
  };
  switch (p.kind) {
    case 'root':
      return `rt.stepRoot(${input})`;
    case 'this':
      return `rt.stepThis(${input})`;
    case 'parent':
      return `rt.stepParent(${input})`;
    case 'fields':
      return `rt.stepFields(${input}, ${scope.hoist('FIELDS', 'readonly string[]', `[${p.names.map(str).join(', ')}]`)})`;
    case 'index':
      return `rt.stepIndex(${input}, ${int(p.index)})`;
    case 'slice':
      return `rt.stepSlice(${input}, ${p.start === null ? 'null' : int(p.start)}, ${p.end === null ? 'null' : int(p.end)})`;
    case 'child':
      return `rt.stepChild(${emitStepPath(p.left, input, scope)}, ${finder(p.right)})`;
    case 'where':
      return `rt.stepWhere(${emitStepPath(p.left, input, scope)}, ${finder(p.right)})`;
    case 'descendants':
      return `rt.stepDescendants(${emitStepPath(p.left, input, scope)}, ${finder(p.right)})`;
    case 'union':
      return `rt.stepUnion(${emitStepPath(p.left, input, scope)}, ${emitStepPath(p.right, input, scope)})`;
    case 'intersect':
      return `rt.stepIntersect()`;
    case 'len':
      return `rt.stepLen(${input})`;
    case 'sorted': {
      if (!p.keys) return `rt.stepSorted(${input}, null)`;
      const keys = p.keys.map((key) => `{ find: ${finder(key.path)}, descending: ${key.descending} }`);
      return `rt.stepSorted(${input}, ${scope.hoist('SORT', 'readonly rt.SortKey[]', `[${keys.join(', ')}]`)})`;
    }
    case 'split':
      return `rt.stepSplit(${input}, ${str(p.sep)}, ${int(p.segment)}, ${int(p.maxSplit)})`;
    case 'sub':
      return `rt.stepSub(${input}, ${scope.hoist('SUB', 'RegExp', regex(p.jsPattern, 'gu'))}, ${str(p.jsRepl)})`;
    case 'filter': {
      const tests = p.exprs.map((e) => filterTest(e, finder));
      return `rt.stepFilter(${input}, ${scope.hoist('FILTER', 'readonly rt.FilterTest[]', `[${tests.join(', ')}]`)})`;
    }
    case 'operation': {
      const operand = (o: Operand): string => {
        if (o.kind === 'path') return `{ find: ${finder(o.path)} }`;
        if (o.kind === 'float') return `{ value: ${Number.isInteger(o.value) ? `new rt.PyFloat(${num(o.value)})` : num(o.value)} }`;
        if (o.kind === 'str') return `{ value: ${str(o.value)} }`;
        return `{ value: ${int(o.value)} }`;
      };
      const ops = scope.hoist('OPERANDS', 'readonly [rt.Operand, rt.Operand]', `[${operand(p.left)}, ${operand(p.right)}]`);
      return `rt.stepOperation(${input}, ${ops}[0], ${str(p.op)}, ${ops}[1])`;
    }
  }
}

function filterTest(e: FilterExpr, finder: (q: JsonPath) => string): string {
  const literal = e.value === null ? 'null' : pyLit(filterLiteral(e.value));
  const coerce = e.value?.kind === 'int' || e.value?.kind === 'bool';
  const re = e.regex === undefined ? 'null' : regex(filterRegexSource(e.regex), 'u');
  return `{ target: ${finder(e.target)}, op: ${e.op === null ? 'null' : str(e.op)}, literal: ${literal}, coerceInt: ${coerce}, regex: ${re} }`;
}
