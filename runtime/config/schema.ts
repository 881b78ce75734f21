// The options settings.ini may set, with their defaults (transform.md §5). Data only: the
// compiler checks files against it, the gateway reads its configuration through it.
import type { PyValue } from '../semantics/pyvalue.js';

export type OptionKind = 'string' | 'int' | 'list' | 'bool' | 'transformer';

export interface OptionSpec {
  kind: OptionKind;
  default: PyValue;
  doc: string;
}

export const SETTINGS_SCHEMA: Record<string, Record<string, OptionSpec>> = {
  MESSAGE_COLLECTOR: {
    transport_url: { kind: 'string', default: '', doc: 'oslo-style rabbit://user:pass@host:port[,user:pass@host2:port]/vhost; empty = embedded mode (no broker)' },
    exchanges: { kind: 'list', default: ['nova', 'cinder', 'neutron', 'glance', 'heat', 'keystone', 'openstack'], doc: 'exchanges whose notification topics are bound' },
    topics: { kind: 'list', default: ['notifications'], doc: 'notification topics (oslo [oslo_messaging_notifications] topics)' },
    priorities: { kind: 'list', default: ['info', 'error'], doc: 'priorities bound (the routing key is <topic>.<priority>)' },
    queue: { kind: 'string', default: 'herald', doc: "Herald's queue name" },
    dead_letter_exchange: { kind: 'string', default: 'herald.dead', doc: 'where undecodable messages go, with the reason' },
  },
  WEBSOCKET: {
    host: { kind: 'string', default: '127.0.0.1', doc: 'listen address' },
    port: { kind: 'int', default: 8080, doc: 'listen port' },
    path: { kind: 'string', default: '/ws', doc: 'WebSocket path' },
    jwt_secret: { kind: 'string', default: null, doc: 'HS256 shared secret' },
    jwt_public_key_file: { kind: 'string', default: null, doc: 'PEM public key for RS256/ES256 tokens' },
    jwt_jwks_file: { kind: 'string', default: null, doc: 'JWKS file for RS256/ES256 tokens' },
    jwt_audience: { kind: 'string', default: null, doc: 'required aud claim when set' },
    jwt_issuer: { kind: 'string', default: null, doc: 'required iss claim when set' },
    allowed_origins: { kind: 'list', default: [], doc: 'origins allowed to open a socket (empty: no Origin check for non-browser clients only)' },
    ingest_token: { kind: 'string', default: null, doc: 'bearer token for POST /v1/notifications; absent = ingest disabled unless embedded' },
  },
  NOTIFY_MANAGER: {
    transformer: { kind: 'transformer', default: [], doc: 'event -> UI message rules (transform.md §2)' },
  },
};

/** Output event types Herald can deliver, with the template keys each requires. */
export const SINKS: Record<string, { required: string[] }> = {
  'websocket.send': { required: ['toid', 'message'] },
};
