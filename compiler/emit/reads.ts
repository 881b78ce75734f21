// What a definition's decoder reads of the dispatcher's body, as a tree of plain key paths. The
// wire reader converts only those subtrees to Python data (issue 17: read less than JSON.parse
// builds). Conservative by construction: wherever a path does anything but step into a named
// key (wildcards, filters, indexes, plugins' operators, `..`), the whole value there is read; a
// parent step, or `$` anywhere but at the start, reads the whole body.
import type { JsonPath } from '../jsonpath-ast.js';
import { walkPath } from '../jsonpath-ast.js';
import type { EventDef } from '../model.js';
import type { ReadTree } from '../../runtime/semantics/reads.js';
import { str } from './codegen.js';

/** A key path from the body, and whether the path may still step further into it by name. */
interface Reached {
  keys: readonly string[];
  open: boolean;
}

class WholeBody {}
const WHOLE_BODY = new WholeBody();

function escapes(p: JsonPath): boolean {
  for (const n of walkPath(p)) if (n.kind === 'parent' || n.kind === 'root') return true;
  return false;
}

/** Where `p` leads from each of `from`; throws WHOLE_BODY when it can leave the subtree. */
function reach(p: JsonPath, from: readonly Reached[], atStart: boolean): Reached[] {
  switch (p.kind) {
    case 'this':
      return [...from];
    case 'root':
      if (!atStart) throw WHOLE_BODY;
      return [{ keys: [], open: true }];
    case 'fields':
      if (p.names.includes('*')) return from.map((r) => ({ keys: r.keys, open: false }));
      return from.flatMap((r) => (r.open ? p.names.map((n) => ({ keys: [...r.keys, n], open: true })) : [r]));
    case 'child':
      return reach(p.right, reach(p.left, from, atStart), false);
    case 'union':
      return [...reach(p.left, from, atStart), ...reach(p.right, from, atStart)];
    case 'descendants':
    case 'where':
    case 'intersect':
      // The right side looks below (or beside) what the left finds: all of it is read.
      if (escapes(p.right)) throw WHOLE_BODY;
      return reach(p.left, from, atStart).map((r) => ({ keys: r.keys, open: false }));
    default:
      // Anything else reads the value it is applied to, and maybe everything under it.
      if (escapes(p)) throw WHOLE_BODY;
      return from.map((r) => ({ keys: r.keys, open: false }));
  }
}

type Building = true | Map<string, Building>;

/** Adds one read; a value read whole absorbs every read below it. */
function insert(tree: Map<string, Building>, keys: readonly string[]): Building {
  const [first, ...rest] = keys;
  if (first === undefined) return true;
  const below = tree.get(first);
  if (below === true) return tree;
  if (!rest.length) tree.set(first, true);
  else {
    const sub = below ?? new Map<string, Building>();
    const done = insert(sub, rest);
    tree.set(first, done === true ? true : sub);
  }
  return tree;
}

/** The body paths a definition's traits read; `true` when it may read the whole body. */
export function definitionReads(def: EventDef): ReadTree {
  const tree = new Map<string, Building>();
  try {
    for (const t of def.traits) {
      if (t.getter.kind !== 'path') continue;
      for (const r of reach(t.getter.path, [{ keys: [], open: true }], true)) if (insert(tree, r.keys) === true) return true;
    }
  } catch (e) {
    if (e === WHOLE_BODY) return true;
    throw e;
  }
  return tree;
}

/** The tree as an expression of type rt.ReadTree (keys through the codegen's string literals). */
export function readTreeLiteral(tree: ReadTree): string {
  if (tree === true) return 'true';
  return `new Map<string, rt.ReadTree>([${[...tree].map(([k, sub]) => `[${str(k)}, ${readTreeLiteral(sub)}]`).join(', ')}])`;
}
