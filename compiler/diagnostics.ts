// Diagnostics are data: {code, severity, message, span, notes}. Rendering is separate.
import { location, type Span } from './source.js';
import type { Code } from './messages.js';

export type Severity = 'error' | 'warning';

export interface Note {
  message: string;
  span?: Span;
}

export interface Diagnostic {
  code: Code;
  severity: Severity;
  message: string;
  span: Span;
  notes: Note[];
}

export class DiagnosticBag {
  readonly items: Diagnostic[] = [];
  private readonly seen = new Set<string>();
  private add(d: Diagnostic): void {
    // A trait shared through a YAML anchor is checked once per definition that merges it:
    // report each finding once.
    const key = `${d.code}|${d.span.start}|${d.span.end}|${d.message}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.items.push(d);
  }
  error(code: Code, message: string, span: Span, notes: Note[] = []): void {
    this.add({ code, severity: 'error', message, span, notes });
  }
  warning(code: Code, message: string, span: Span, notes: Note[] = []): void {
    this.add({ code, severity: 'warning', message, span, notes });
  }
  get hasErrors(): boolean {
    return this.items.some((d) => d.severity === 'error');
  }
}

/** `--strict`: every warning becomes an error. */
export function strictify(diags: Diagnostic[]): Diagnostic[] {
  return diags.map((d) => (d.severity === 'warning' ? { ...d, severity: 'error' } : d));
}

function caretLines(span: Span): string {
  const { line, column } = span.file.position(span.start);
  const text = span.file.lineText(line);
  const endPos = span.file.position(Math.max(span.start, span.end));
  const width = endPos.line === line ? Math.max(1, endPos.column - column) : 1;
  const gutter = String(line).length;
  const prefix = Array.from(text).slice(0, column - 1).map((c) => (c === '\t' ? '\t' : ' ')).join('');
  return `${' '.repeat(gutter)} |\n${line} | ${text}\n${' '.repeat(gutter)} | ${prefix}${'^'.repeat(width)}`;
}

/** `FILE:LINE:COL: error CODE: message`, the source line and a caret, then notes. */
export function renderText(d: Diagnostic): string {
  let out = `${location(d.span)}: ${d.severity} ${d.code}: ${d.message}\n${caretLines(d.span)}`;
  for (const n of d.notes) out += `\n  note: ${n.span ? location(n.span) + ': ' : ''}${n.message}`;
  return out;
}

function lineColumn(span: Span): { line: number; column: number } {
  const { line, column } = span.file.position(span.start);
  return { line, column };
}

/** One JSON object per diagnostic (`--format json`). */
export function renderJson(d: Diagnostic): string {
  const pos = d.span.file.position(d.span.start);
  const end = d.span.file.position(d.span.end);
  return JSON.stringify({
    file: d.span.file.path,
    line: pos.line,
    column: pos.column,
    endLine: end.line,
    endColumn: end.column,
    severity: d.severity,
    code: d.code,
    message: d.message,
    notes: d.notes.map((n) => ({ message: n.message, ...(n.span ? { location: location(n.span), file: n.span.file.path, ...lineColumn(n.span) } : {}) })),
  });
}
