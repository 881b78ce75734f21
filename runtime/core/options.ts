// How a settings.ini option is declared. Transports and authenticators declare their own options
// next to their code; runtime/config/schema.ts merges them, so `herald compile` checks them too.
import type { PyValue } from '../semantics/pyvalue.js';

export type OptionKind = 'string' | 'int' | 'list' | 'bool' | 'transformer';

export interface OptionSpec {
  kind: OptionKind;
  default: PyValue;
  doc: string;
}

/** Reads one option of a section, as checked against the schema. */
export type OptionReader = (name: string) => PyValue;
