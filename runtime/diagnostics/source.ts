// A source file and positions in it. Spans are offsets; line:column is computed on demand.

export class SourceFile {
  private lineStarts: number[] | null = null;
  constructor(
    readonly path: string,
    readonly text: string,
  ) {}

  private starts(): number[] {
    if (!this.lineStarts) {
      const s = [0];
      for (let i = 0; i < this.text.length; i++) if (this.text.charCodeAt(i) === 10) s.push(i + 1);
      this.lineStarts = s;
    }
    return this.lineStarts;
  }

  /** 1-based line and column (column counted in code points). */
  position(offset: number): { line: number; column: number } {
    const starts = this.starts();
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    const col = Array.from(this.text.slice(starts[lo]!, offset)).length + 1;
    return { line: lo + 1, column: col };
  }

  lineText(line: number): string {
    const starts = this.starts();
    const start = starts[line - 1] ?? this.text.length;
    const end = starts[line] ?? this.text.length;
    return this.text.slice(start, end).replace(/\r?\n$/, '');
  }
}

export interface Span {
  file: SourceFile;
  start: number;
  end: number;
}

export function spanAt(file: SourceFile, start: number, end = start): Span {
  return { file, start, end };
}

/** "file:line:col" of a span's start. */
export function location(span: Span): string {
  const { line, column } = span.file.position(span.start);
  return `${span.file.path}:${line}:${column}`;
}
