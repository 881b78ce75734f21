// Notification dict -> decoded event (generated decoders) -> outputs (generated transformers)
// -> pushes addressed to users and projects. Synchronous and allocation-light: the consumer
// acks only after the pushes it returns are handed to the WebSocket layer.
import { compiledMatcher, type CompiledRules } from '../decode/rt.js';
import { compiledTransformer, type CompiledTransforms } from '../transform/rt.js';
import { decodeMessage, type DecodeResult } from '../semantics/event.js';
import { dumpsCompact } from '../semantics/transform.js';
import type { PyDict } from '../semantics/pyvalue.js';
import { audienceOf, withoutAddresses } from '../semantics/address.js';
import { readsOfMatcher, type ReadsOf } from '../semantics/reads.js';

export interface Push {
  users: string[];
  projects: string[];
  /** The frame's `data`: the output's traits without the address keys (`toid`, `toproject`), as JSON text. */
  data: string;
  /** The transformer entry that made it (`settings.ini:line:col`): logs, and the console's frames. */
  rule: string;
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

/**
 * The notification dict readBody/unwrapNotification produced (the envelope is gone already) ->
 * what it becomes; `readsOf` tells readBody which parts of a notification the decoders read.
 */
export type Pipeline = ((message: PyDict) => Processed) & { readsOf: ReadsOf };

export function makePipeline(rules: CompiledRules, transforms: CompiledTransforms): Pipeline {
  const matcher = compiledMatcher(rules);
  const transform = compiledTransformer(transforms);
  const process = (message: PyDict): Processed => {
    const result = decodeMessage(matcher, message);
    const pushes: Push[] = [];
    const unaddressed: Unaddressed[] = [];
    if (result.kind !== 'event') return { result, pushes, unaddressed };
    const id = result.event.message_id;
    const messageId = id === null ? null : String(id);
    for (const out of transform(result.event)) {
      if (out.event_type !== 'websocket.send' || !(out.traits instanceof Map)) continue;
      // The key decides the kind (toid: users, toproject: projects); values are ids, verbatim.
      const { users, projects } = audienceOf(out.traits);
      if (!users.length && !projects.length) {
        unaddressed.push({ rule: out.rule, messageId });
        continue;
      }
      pushes.push({ users, projects, data: dumpsCompact(withoutAddresses(out.traits)), rule: out.rule });
    }
    return { result, pushes, unaddressed };
  };
  return Object.assign(process, { readsOf: readsOfMatcher(matcher) });
}
