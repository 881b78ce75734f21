// The runtime's folders form layers: reading the imports (static, re-exports, dynamic, type-only
// too), no folder under runtime/ may reach itself again through another folder. A new transport
// or authenticator is one folder that imports the seams, never the gateway that composes them.
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { ROOT } from '../helpers.js';

const RUNTIME = join(ROOT, 'runtime');

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

/** The relative module specifiers a file imports, in any form. */
export function importsOf(text: string): string[] {
  const out: string[] = [];
  const patterns = [/(?:^|[\s;])(?:import|export)\s[^'"]*?\sfrom\s*['"]([^'"]+)['"]/g, /(?:^|[\s;])import\s*['"]([^'"]+)['"]/g, /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g];
  for (const re of patterns) for (const m of text.matchAll(re)) out.push(m[1]!);
  return out.filter((s) => s.startsWith('.'));
}

/** runtime/sources/rabbitmq/x.ts -> "sources"; files directly in runtime/ -> "(root)". */
function folderOf(file: string): string | null {
  const rel = relative(RUNTIME, file);
  if (rel.startsWith('..')) return null;
  const parts = rel.split(sep);
  return parts.length > 1 ? parts[0]! : '(root)';
}

interface Edge {
  from: string;
  to: string;
  /** One file-level import showing the edge. */
  via: string;
}

function folderEdges(): Edge[] {
  const edges = new Map<string, Edge>();
  for (const f of files(RUNTIME)) {
    const from = folderOf(f)!;
    for (const spec of importsOf(readFileSync(f, 'utf8'))) {
      const to = folderOf(resolve(dirname(f), spec));
      if (to === null || to === from) continue;
      const key = `${from}>${to}`;
      if (!edges.has(key)) edges.set(key, { from, to, via: `${relative(ROOT, f)} imports ${spec}` });
    }
  }
  return [...edges.values()];
}

/** Every cycle's folders (strongly connected components with more than one folder). */
function cycles(edges: Edge[]): string[][] {
  const next = new Map<string, string[]>();
  for (const e of edges) next.set(e.from, [...(next.get(e.from) ?? []), e.to]);
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const out: string[][] = [];
  let n = 0;
  const visit = (v: string): void => {
    index.set(v, n);
    low.set(v, n++);
    stack.push(v);
    on.add(v);
    for (const w of next.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1) out.push(scc.sort());
    }
  };
  for (const v of new Set(edges.flatMap((e) => [e.from, e.to]))) if (!index.has(v)) visit(v);
  return out;
}

describe('runtime layers', () => {
  it('reads every form of import', () => {
    const text = `import a from './a.js';\nimport type { B } from "../b/b.js";\nexport { c } from './c.js';\nimport './d.js';\nconst e = await import('../e/e.js');\nimport x from 'pino';`;
    expect(importsOf(text).sort()).toEqual(['../b/b.js', '../e/e.js', './a.js', './c.js', './d.js']);
  });

  it('finds a cycle when there is one', () => {
    expect(cycles([{ from: 'a', to: 'b', via: '' }, { from: 'b', to: 'c', via: '' }, { from: 'c', to: 'a', via: '' }, { from: 'c', to: 'd', via: '' }])).toEqual([['a', 'b', 'c']]);
  });

  it('no import cycle between runtime/ folders', () => {
    const edges = folderEdges();
    expect(edges.length).toBeGreaterThan(5);
    const found = cycles(edges).map((scc) => ({ folders: scc, edges: edges.filter((e) => scc.includes(e.from) && scc.includes(e.to)).map((e) => e.via) }));
    expect(found).toEqual([]);
  });

  it('no folder but the composition root (gateway) and the entry points import the gateway', () => {
    const offenders = folderEdges().filter((e) => e.to === 'gateway' && e.from !== '(root)');
    expect(offenders.map((e) => e.via)).toEqual([]);
  });
});
