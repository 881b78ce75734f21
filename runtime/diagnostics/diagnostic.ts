// Diagnostics are data: {code, severity, message, span, notes}; printing is this one module, for
// the compiler's findings and the runtime's start-up errors alike.
import { location, type Span } from './source.js';

export type Severity = 'error' | 'warning';

export interface Note {
  message: string;
  span?: Span;
}

/** A finding with a place in a file. */
export interface Diagnostic<C extends string = string> {
  code: C;
  severity: Severity;
  message: string;
  span: Span;
  notes: Note[];
}

/** A finding that may have no file position: `origin` then says where it comes from (a file, the environment, host:port). */
export interface Problem<C extends string = string> {
  code: C;
  severity: Severity;
  message: string;
  span?: Span;
  origin?: string;
  notes: Note[];
}

/** `FILE:LINE:COL: error CODE: message` (or `ORIGIN: error CODE: message`): one line. */
export function renderHeadline(d: Problem): string {
  const where = d.span ? location(d.span) : (d.origin ?? 'herald');
  return `${where}: ${d.severity} ${d.code}: ${d.message}`;
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

/** The headline, the source line and a caret (when there is a span), then notes. */
export function renderText(d: Problem): string {
  let out = renderHeadline(d);
  if (d.span) out += `\n${caretLines(d.span)}`;
  for (const n of d.notes) out += `\n  note: ${n.span ? location(n.span) + ': ' : ''}${n.message}`;
  return out;
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
    notes: d.notes.map((n) => ({ message: n.message, ...(n.span ? { location: location(n.span) } : {}) })),
  });
}
