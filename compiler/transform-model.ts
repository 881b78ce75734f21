// The checked transformer model: what the transform interpreter runs and the emitter compiles.
import type { PyValue } from '../runtime/semantics/pyvalue.js';
import type { Span } from './source.js';
import type { EventDef } from './model.js';

export type Template =
  | { kind: 'trait'; name: string; span: Span }
  | { kind: 'field'; field: 'event_type' | 'message_id' | 'generated'; span: Span }
  | { kind: 'literal'; value: PyValue }
  | { kind: 'dict'; entries: Array<[string, Template]> }
  | { kind: 'list'; items: Template[] };

export interface Transformer {
  index: number;
  span: Span;
  included: string[];
  excluded: string[];
  label: string;
  sink: string;
  template: Template;
  /** Definitions that can decode an event this entry matches. */
  reachable: EventDef[];
}

export interface Settings {
  path: string;
  sha256: string;
  /** Digest of the transformer list's value (runtime/config/settings.ts). */
  transformerDigest: string;
  transformers: Transformer[];
  /** Runtime options by section (literal values, or strings). */
  options: Map<string, Map<string, PyValue>>;
}
