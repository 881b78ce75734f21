// Warn about definitions that can never win: "the last matching definition wins", so a
// definition whose every event type is also matched by a later one is dead (the real file's
// objectstore.http.request under '*http.*').
import { DiagnosticBag } from '../diagnostics.js';
import { Codes } from '../messages.js';
import { patternMatcher, type EventDef, type RuleSet } from '../model.js';
import { parseGlob, globLiteral, type GlobToken } from '../../runtime/semantics/glob.js';

type Sym = { kind: 'star' } | { kind: 'any' } | { kind: 'char'; ch: string } | { kind: 'class'; key: string };

function symbols(tokens: GlobToken[]): Sym[] {
  const out: Sym[] = [];
  for (const t of tokens) {
    if (t.kind === 'literal') for (const ch of t.text) out.push({ kind: 'char', ch });
    else if (t.kind === 'class') out.push({ kind: 'class', key: JSON.stringify(t) });
    else if (t.kind === 'star' || t.kind === 'any') out.push({ kind: t.kind });
    else out.push({ kind: 'class', key: 'never' });
  }
  return out;
}

/** Sound (not complete) test that every string matched by `inner` is matched by `outer`. */
export function globContains(outer: string, inner: string): boolean {
  const q = symbols(parseGlob(outer));
  const p = symbols(parseGlob(inner));
  const memo = new Map<number, boolean>();
  const go = (i: number, j: number): boolean => {
    const key = i * 100003 + j;
    const hit = memo.get(key);
    if (hit !== undefined) return hit;
    let r: boolean;
    if (i === q.length) r = j === p.length;
    else {
      const a = q[i]!;
      if (a.kind === 'star') r = go(i + 1, j) || (j < p.length && go(i, j + 1));
      else if (j === p.length) r = false;
      else {
        const b = p[j]!;
        if (a.kind === 'any') r = b.kind !== 'star' && go(i + 1, j + 1);
        else if (a.kind === 'char') r = b.kind === 'char' && b.ch === a.ch && go(i + 1, j + 1);
        else r = b.kind === 'class' && b.key === a.key && go(i + 1, j + 1);
      }
    }
    memo.set(key, r);
    return r;
  };
  return go(0, 0);
}

/** The later definition that covers pattern `p` of an earlier definition, if any. */
function coveredBy(p: string, later: EventDef[]): EventDef | undefined {
  const literal = globLiteral(parseGlob(p));
  if (literal !== null) return later.find((d) => patternMatcher(d)(literal));
  return later.find((d) => d.excluded.length === 0 && d.included.some((q) => globContains(q, p)));
}

export function checkShadowing(rules: RuleSet, diags: DiagnosticBag): void {
  const defs = rules.definitions;
  defs.forEach((def, i) => {
    if (def.included.length === 0) return;
    // One later definition covering every pattern: a dead definition. (Definitions covered only
    // by several later ones are Ceilometer's idiom for carrying a YAML anchor; not reported.)
    const by = defs.slice(i + 1).find((later) => def.included.every((p) => coveredBy(p, [later]) !== undefined));
    if (!by) return;
    diags.warning(
      Codes.ShadowedDefinition,
      `definition '${def.label}' is never used: the later definition '${by.label}' matches every event type it matches, and the last matching definition wins`,
      def.span,
      [{ message: `shadowed by '${by.label}'`, span: by.span }],
    );
  });
}
