// The options settings.ini may set, with their defaults (transform.md §5). Data only: the
// compiler checks files against it, the gateway reads its configuration through it. Shared
// options are here; each transport and authenticator declares its own next to its code, and they
// are merged in from the registries, so `herald compile` knows them too.
import type { OptionSpec } from '../core/options.js';
import { SOURCES } from '../sources/registry.js';
import { AUTHENTICATORS } from '../auth/registry.js';

export type { OptionKind, OptionSpec } from '../core/options.js';

const SHARED_SCHEMA: Record<string, Record<string, OptionSpec>> = {
  MESSAGE_COLLECTOR: {
    transport_url: { kind: 'string', default: '', doc: 'oslo-style rabbit://user:pass@host:port[,user:pass@host2:port]/vhost; empty = embedded mode (no broker)' },
    topics: { kind: 'list', default: ['notifications'], doc: 'notification topics (oslo [oslo_messaging_notifications] topics)' },
    priorities: { kind: 'list', default: ['info', 'error'], doc: 'priorities bound (the routing key is <topic>.<priority>)' },
    max_message_bytes: { kind: 'int', default: 1048576, doc: 'bigger bodies (after inflating) are dead-lettered' },
    max_json_depth: { kind: 'int', default: 64, doc: 'deeper nesting is dead-lettered' },
    dedupe_size: { kind: 'int', default: 65536, doc: 'recent _unique_id values remembered to drop redeliveries' },
    reconnect_max_seconds: { kind: 'int', default: 10, doc: 'cap of the exponential reconnect back-off' },
    scale_out: { kind: 'bool', default: false, doc: 'several gateway nodes: decoded pushes go through push_exchange to the nodes holding the addressed users' },
  },
  WEBSOCKET: {
    host: { kind: 'string', default: '127.0.0.1', doc: 'listen address' },
    port: { kind: 'int', default: 8080, doc: 'listen port' },
    path: { kind: 'string', default: '/ws', doc: 'WebSocket path' },
    allowed_origins: { kind: 'list', default: [], doc: 'origins allowed to open a socket (empty: no Origin check for non-browser clients only)' },
    ingest_token: { kind: 'string', default: null, doc: 'bearer token for POST /v1/notifications; absent = ingest disabled unless embedded' },
    auth_timeout: { kind: 'int', default: 5, doc: 'seconds a socket may stay unauthenticated' },
    max_frame_bytes: { kind: 'int', default: 65536, doc: 'bigger client frames close the socket with 1009' },
    replay_size: { kind: 'int', default: 256, doc: 'pushes kept per user for resume' },
    replay_seconds: { kind: 'int', default: 300, doc: 'how long pushes are kept for resume' },
    max_connections_per_user: { kind: 'int', default: 32, doc: 'more close the new socket with 4008' },
    max_connections: { kind: 'int', default: 100000, doc: 'sockets per process; more are refused with HTTP 503' },
    max_backpressure: { kind: 'int', default: 1048576, doc: 'unsent bytes per socket before it is closed with 4009' },
    max_buffered_bytes: { kind: 'int', default: 268435456, doc: 'unsent bytes across all sockets; over it the slowest are closed with 4009' },
    idle_timeout: { kind: 'int', default: 120, doc: 'seconds of silence before a socket is closed (server pings keep live ones open)' },
    shutdown_timeout: { kind: 'int', default: 10, doc: 'seconds SIGTERM may take' },
    allow_js_fallback: { kind: 'bool', default: false, doc: "start even when uWebSockets.js's native binary did not load (slow JavaScript imitation)" },
  },
  NOTIFY_MANAGER: {
    transformer: { kind: 'transformer', default: [], doc: 'event -> UI message rules (transform.md §2)' },
  },
};

/** Adds a plug-in's options to a section; two plug-ins declaring one option differently is a programming error. */
function mergeOptions(into: Record<string, OptionSpec>, from: Readonly<Record<string, OptionSpec>>, owner: string): void {
  for (const [name, spec] of Object.entries(from)) {
    const had = into[name];
    if (had && (had.kind !== spec.kind || JSON.stringify(had.default) !== JSON.stringify(spec.default))) throw new Error(`option ${name} of ${owner} conflicts with an option of the same name`);
    into[name] = spec;
  }
}

function mergedSchema(): Record<string, Record<string, OptionSpec>> {
  const schema = Object.fromEntries(Object.entries(SHARED_SCHEMA).map(([section, options]) => [section, { ...options }]));
  for (const s of SOURCES) mergeOptions(schema.MESSAGE_COLLECTOR!, s.options, `the ${s.kind} source`);
  for (const a of AUTHENTICATORS) mergeOptions(schema.WEBSOCKET!, a.options, `the ${a.kind} authenticator`);
  return schema;
}

export const SETTINGS_SCHEMA: Record<string, Record<string, OptionSpec>> = mergedSchema();

/** Output event types Herald can deliver, with the template keys each requires. */
export const SINKS: Record<string, { required: string[] }> = {
  'websocket.send': { required: ['toid', 'message'] },
};
