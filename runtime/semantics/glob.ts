// fnmatch.fnmatch(name, pattern) on POSIX (Python 3.11): case-sensitive, whole-string match,
// `*` crosses dots, `?` one code point, `[seq]`/`[!seq]` classes, an unclosed `[` is literal.

export type GlobToken =
  | { kind: 'star' }
  | { kind: 'any' }
  | { kind: 'literal'; text: string }
  | { kind: 'class'; negated: boolean; items: Array<[number, number]> } // inclusive code point ranges
  | { kind: 'never' };

/** Tokenise like fnmatch.translate: same class boundaries, same empty-range removal. */
export function parseGlob(pat: string): GlobToken[] {
  const cps = Array.from(pat);
  const out: GlobToken[] = [];
  const n = cps.length;
  let i = 0;
  const addLiteral = (c: string): void => {
    const last = out[out.length - 1];
    if (last && last.kind === 'literal') last.text += c;
    else out.push({ kind: 'literal', text: c });
  };
  while (i < n) {
    const c = cps[i++]!;
    if (c === '*') {
      if (out[out.length - 1]?.kind !== 'star') out.push({ kind: 'star' });
    } else if (c === '?') out.push({ kind: 'any' });
    else if (c === '[') {
      let j = i;
      if (j < n && cps[j] === '!') j++;
      if (j < n && cps[j] === ']') j++;
      while (j < n && cps[j] !== ']') j++;
      if (j >= n) {
        addLiteral('[');
        continue;
      }
      out.push(parseClass(cps, i, j));
      i = j + 1;
    } else addLiteral(c);
  }
  return out;
}

/** The class between cps[i] (after '[') and cps[j] (the closing ']'). */
function parseClass(cps: string[], i: number, j: number): GlobToken {
  const text = (a: number, b: number): string[] => cps.slice(a, b);
  const negated = cps[i] === '!';
  const body = negated ? i + 1 : i;
  if (j === body) return negated ? { kind: 'class', negated: true, items: [] } : { kind: 'never' };
  // Hyphen chunks, exactly as fnmatch.translate splits them.
  let chunks: string[][];
  if (!text(i, j).includes('-')) chunks = [text(body, j)];
  else {
    chunks = [];
    let start = i;
    let k = negated ? i + 2 : i + 1;
    for (;;) {
      k = cps.indexOf('-', k);
      if (k < 0 || k >= j) break;
      chunks.push(text(start, k));
      start = k + 1;
      k = k + 3;
    }
    const last = text(start, j);
    if (last.length) chunks.push(last);
    else chunks[chunks.length - 1]!.push('-');
    for (let k2 = chunks.length - 1; k2 > 0; k2--) {
      const prev = chunks[k2 - 1]!;
      const cur = chunks[k2]!;
      if (prev[prev.length - 1]!.codePointAt(0)! > cur[0]!.codePointAt(0)!) {
        chunks[k2 - 1] = prev.slice(0, -1).concat(cur.slice(1));
        chunks.splice(k2, 1);
      }
    }
    if (negated) chunks[0] = chunks[0]!.slice(1);
  }
  // Members: every chunk's characters are literal; between two chunks the last char of the
  // first and the first char of the second form a range (Python regex class semantics,
  // after a range a '-' is literal).
  const items: Array<[number, number]> = [];
  const flat: Array<{ ch: string; hyphenAfter: boolean }> = [];
  chunks.forEach((chunk, idx) => {
    chunk.forEach((ch, pos) => flat.push({ ch, hyphenAfter: pos === chunk.length - 1 && idx < chunks.length - 1 }));
  });
  for (let k = 0; k < flat.length; k++) {
    const a = flat[k]!;
    const cp = a.ch.codePointAt(0)!;
    if (a.hyphenAfter && k + 1 < flat.length) {
      items.push([cp, flat[k + 1]!.ch.codePointAt(0)!]);
      k++;
      // A hyphen right after a completed range is a literal '-'.
      if (flat[k]!.hyphenAfter) {
        items.push([45, 45]);
      }
    } else items.push([cp, cp]);
  }
  if (items.length === 0) return negated ? { kind: 'class', negated: true, items: [] } : { kind: 'never' };
  return { kind: 'class', negated, items };
}

/** True when the pattern matches exactly one string (no wildcard, no class). */
export function globLiteral(tokens: GlobToken[]): string | null {
  if (tokens.length === 0) return '';
  if (tokens.length === 1 && tokens[0]!.kind === 'literal') return tokens[0]!.text;
  return null;
}

const hex = (cp: number): string => `\\u{${cp.toString(16)}}`;

/** A JS RegExp source (flags 'su') equivalent to the pattern. */
export function globToRegExpSource(tokens: GlobToken[]): string {
  let src = '^';
  for (const t of tokens) {
    switch (t.kind) {
      case 'star':
        src += '.*';
        break;
      case 'any':
        src += '.';
        break;
      case 'never':
        src += '(?!)';
        break;
      case 'literal':
        for (const ch of t.text) src += hex(ch.codePointAt(0)!);
        break;
      case 'class':
        if (t.negated && t.items.length === 0) src += '.';
        else src += '[' + (t.negated ? '^' : '') + t.items.map(([a, b]) => (a === b ? hex(a) : hex(a) + '-' + hex(b))).join('') + ']';
        break;
    }
  }
  return src + '$';
}

/** A compiled fnmatch test. */
export function compileGlob(pattern: string): (name: string) => boolean {
  const tokens = parseGlob(pattern);
  const literal = globLiteral(tokens);
  if (literal !== null) return (name) => name === literal;
  const re = new RegExp(globToRegExpSource(tokens), 'su');
  return (name) => re.test(name);
}
