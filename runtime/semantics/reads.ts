// Which parts of a notification a decoder reads: the compiler derives a tree of key paths over
// the dispatcher's body from each definition's trait paths; the wire reader then converts only
// those parts of the parsed JSON to Python data.

/** `true`: the whole value is read. A map: only these keys are stepped into, each as given. */
export type ReadTree = true | ReadonlyMap<string, ReadTree>;

/**
 * The same reads over the notification dict as oslo delivers it: body `payload` is the
 * message's `payload`, body `ctxt.<k>` its `_context_<k>` (and `client_timeout` its `_timeout`).
 * null means the whole message.
 */
export interface MessageReads {
  payload: ReadTree | null;
  /** The `_context_<k>` keys read, with what is read of each; true for all of them (in order). */
  context: true | ReadonlyArray<readonly [string, ReadTree]>;
}

/** The top-level keys every notification keeps: dispatch, metadata, de-duplication, refusals. */
export const ALWAYS_READ: ReadonlySet<string> = new Set(['message_id', 'publisher_id', 'event_type', 'priority', 'timestamp', '_unique_id', '_timeout']);

/** What the decoder of a notification with this event_type reads; null: everything. */
export type ReadsOf = (eventType: unknown) => MessageReads | null;

/** Body reads -> message reads; null when the decoder may look at everything. */
export function messageReads(body: ReadTree): MessageReads | null {
  if (body === true) return null;
  const ctxt = body.get('ctxt');
  const context = ctxt === undefined ? [] : ctxt === true ? true : [...ctxt].map(([k, tree]) => [`_context_${k}`, tree] as const);
  return { payload: body.get('payload') ?? null, context };
}

const NOTHING: MessageReads = { payload: null, context: [] };

/** A matcher's reads by event_type, memoised per definition; null (everything) when the matcher cannot tell. */
export function readsOfMatcher<D>(m: { match(eventType: string): D | null; reads?(def: D): ReadTree }): ReadsOf {
  const reads = m.reads?.bind(m);
  if (!reads) return () => null;
  const byDefinition = new Map<D, MessageReads | null>();
  return (eventType) => {
    if (typeof eventType !== 'string') return null;
    const def = m.match(eventType);
    if (def === null) return NOTHING;
    let r = byDefinition.get(def);
    if (r === undefined) byDefinition.set(def, (r = messageReads(reads(def))));
    return r;
  };
}
