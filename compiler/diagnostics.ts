// Diagnostics are data: {code, severity, message, span, notes}. The data type and the renderer
// live in runtime/diagnostics (the runtime reports with them too); the compiler's codes are here.
import type { Span } from './source.js';
import type { Code } from './messages.js';
import type { Diagnostic as AnyDiagnostic, Note, Severity } from '../runtime/diagnostics/diagnostic.js';

export type { Note, Severity };
export type Diagnostic = AnyDiagnostic<Code>;

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

export { renderText, renderJson, renderHeadline } from '../runtime/diagnostics/diagnostic.js';
