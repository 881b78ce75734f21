// Notification dict -> decoded event (generated decoders) -> outputs (generated transformers)
// -> pushes addressed to users and projects. Synchronous and allocation-light: the consumer
// acks only after the pushes it returns are handed to the WebSocket layer.
import { compiledMatcher, type CompiledRules } from '../decode/rt.js';
import { compiledTransformer, type CompiledTransforms } from '../transform/rt.js';
import { decodeMessage, type DecodeResult } from '../semantics/event.js';
import { dumpsCompact } from '../semantics/transform.js';
import type { PyDict, PyValue } from '../semantics/pyvalue.js';

export interface Push {
  users: string[];
  projects: string[];
  /** The frame's `data`: the output's traits without `toid`, as JSON text. */
  data: string;
}

export interface Unaddressed {
  rule: string;
  messageId: string | null;
}

export interface Processed {
  result: DecodeResult;
  pushes: Push[];
  unaddressed: Unaddressed[];
}

/** `toid`: a string or list; `user:<id>` or a bare id is a user, `project:<id>` a project. */
export function addressOf(toid: PyValue | undefined): { users: string[]; projects: string[] } {
  const users: string[] = [];
  const projects: string[] = [];
  const ids = Array.isArray(toid) ? toid : toid === undefined ? [] : [toid];
  for (const raw of ids) {
    if (raw === null || typeof raw === 'object' || typeof raw === 'boolean') continue;
    const id = String(raw);
    if (id.startsWith('project:')) {
      if (id.length > 8) projects.push(id.slice(8));
    } else if (id.startsWith('user:')) {
      if (id.length > 5) users.push(id.slice(5));
    } else if (id !== '') users.push(id);
  }
  return { users, projects };
}

/** The notification dict readBody/unwrapNotification produced (the envelope is gone already). */
export type Pipeline = (message: PyDict) => Processed;

export function makePipeline(rules: CompiledRules, transforms: CompiledTransforms): Pipeline {
  const matcher = compiledMatcher(rules);
  const transform = compiledTransformer(transforms);
  return (message) => {
    const result = decodeMessage(matcher, message);
    const pushes: Push[] = [];
    const unaddressed: Unaddressed[] = [];
    if (result.kind !== 'event') return { result, pushes, unaddressed };
    const id = result.event.message_id;
    const messageId = id === null ? null : String(id);
    for (const out of transform(result.event)) {
      if (out.event_type !== 'websocket.send' || !(out.traits instanceof Map)) continue;
      const { users, projects } = addressOf(out.traits.get('toid'));
      if (!users.length && !projects.length) {
        unaddressed.push({ rule: out.rule, messageId });
        continue;
      }
      const data = new Map(out.traits);
      data.delete('toid');
      pushes.push({ users, projects, data: dumpsCompact(data) });
    }
    return { result, pushes, unaddressed };
  };
}
