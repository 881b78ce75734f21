// Start-up errors: everything that stops `herald serve` before it serves (configuration, key files,
// transport_url, the port, rules that don't fit) is a coded Problem, printed as one line, exit 1.
import { renderHeadline, type Problem } from './diagnostic.js';
import { SourceFile, spanAt } from './source.js';

export const StartupCodes = {
  /** A file named by the command line or the configuration cannot be read. */
  FileNotFound: 'HE001',
  PortTaken: 'HE701',
  BadTransportUrl: 'HE702',
  BadKeyFile: 'HE703',
  RulesMismatch: 'HE704',
  NeedsKey: 'HE705',
  NativeMissing: 'HE706',
  Internal: 'HE799',
} as const;

export type StartupCode = (typeof StartupCodes)[keyof typeof StartupCodes] | 'HE601' | 'HE602' | 'HE610' | 'HE611';

export class StartupError extends Error {
  constructor(readonly problems: Problem[]) {
    super(problems.map(renderHeadline).join('\n'));
  }

  static of(code: StartupCode, origin: string, message: string): StartupError {
    return new StartupError([{ code, severity: 'error', message, origin, notes: [] }]);
  }

  /** A problem at a character offset of a file's text. */
  static at(code: StartupCode, path: string, text: string, offset: number, message: string): StartupError {
    return new StartupError([{ code, severity: 'error', message, span: spanAt(new SourceFile(path, text), offset), notes: [] }]);
  }
}

/** The one-line rendering of anything thrown while starting: never a stack trace. */
export function startupMessage(e: unknown): string {
  if (e instanceof StartupError) return e.message;
  const text = e instanceof Error ? e.message : String(e);
  return renderHeadline({ code: StartupCodes.Internal, severity: 'error', message: `cannot start: ${text.split('\n')[0]}`, origin: 'herald serve', notes: [] });
}
