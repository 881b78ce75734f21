// The reference `find`: walks the JSONPath AST and applies the runtime's step semantics at each
// node. Generated decoders unroll the same walk into code at compile time.
import type { FilterExpr, JsonPath, Operand as AstOperand } from '../jsonpath-ast.js';
import { makeFloat } from '../../runtime/semantics/pyvalue.js';
import {
  type FilterTest,
  type Match,
  type Operand,
  stepChild,
  stepDescendants,
  stepFields,
  stepFilter,
  stepIndex,
  stepIntersect,
  stepLen,
  stepOperation,
  stepParent,
  stepRoot,
  stepSlice,
  stepSorted,
  stepSplit,
  stepSub,
  stepThis,
  stepUnion,
  stepWhere,
} from '../../runtime/semantics/jsonpath-steps.js';
import { filterLiteral } from '../jsonpath-ast.js';

export { pathString, type Datum, type Match } from '../../runtime/semantics/jsonpath-steps.js';

export function find(p: JsonPath, d: Match): Match[] {
  const sub = (q: JsonPath) => (x: Match) => find(q, x);
  switch (p.kind) {
    case 'root':
      return stepRoot(d);
    case 'this':
      return stepThis(d);
    case 'parent':
      return stepParent(d);
    case 'fields':
      return stepFields(d, p.names);
    case 'index':
      return stepIndex(d, p.index);
    case 'slice':
      return stepSlice(d, p.start, p.end);
    case 'child':
      return stepChild(find(p.left, d), sub(p.right));
    case 'where':
      return stepWhere(find(p.left, d), sub(p.right));
    case 'descendants':
      return stepDescendants(find(p.left, d), sub(p.right));
    case 'union':
      return stepUnion(find(p.left, d), find(p.right, d));
    case 'intersect':
      return stepIntersect();
    case 'len':
      return stepLen(d);
    case 'sorted':
      return stepSorted(d, p.keys && p.keys.map((k) => ({ find: sub(k.path), descending: k.descending })));
    case 'split':
      return stepSplit(d, p.sep, p.segment, p.maxSplit);
    case 'sub':
      return stepSub(d, subRegex(p), p.jsRepl);
    case 'filter':
      return stepFilter(d, p.exprs.map(filterTest));
    case 'operation':
      return stepOperation(d, operand(p.left), p.op, operand(p.right));
  }
}

// Regexes are compiled once per AST node, not once per message.
const subRegexes = new WeakMap<JsonPath, RegExp>();
function subRegex(p: Extract<JsonPath, { kind: 'sub' }>): RegExp {
  let re = subRegexes.get(p);
  if (!re) subRegexes.set(p, (re = new RegExp(p.jsPattern, 'gu')));
  return re;
}

const filterTests = new WeakMap<FilterExpr, FilterTest>();
function filterTest(e: FilterExpr): FilterTest {
  let t = filterTests.get(e);
  if (!t) {
    t = {
      target: (x) => find(e.target, x),
      op: e.op,
      literal: e.value && filterLiteral(e.value),
      coerceInt: e.value?.kind === 'int' || e.value?.kind === 'bool',
      regex: e.regex === undefined ? null : new RegExp(filterRegexSource(e.regex), 'u'),
    };
    filterTests.set(e, t);
  }
  return t;
}

/** Python's re.match anchors at the start only. */
export const filterRegexSource = (regex: string): string => '^(?:' + regex + ')';

function operand(o: AstOperand): Operand {
  if (o.kind === 'path') return { find: (x) => find(o.path, x) };
  return { value: o.kind === 'float' ? makeFloat(o.value) : o.value };
}
