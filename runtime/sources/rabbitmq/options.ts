// RabbitMQ's own [MESSAGE_COLLECTOR] options (merged into the settings schema). The shared ones
// (transport_url, topics, priorities, limits, scale_out) stay in runtime/config/schema.ts.
import type { OptionSpec } from '../../core/options.js';

export const RABBITMQ_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  exchanges: { kind: 'list', default: ['nova', 'cinder', 'neutron', 'glance', 'heat', 'keystone', 'openstack'], doc: 'exchanges whose notification topics are bound' },
  queue: { kind: 'string', default: 'herald', doc: "Herald's queue name" },
  dead_letter_exchange: { kind: 'string', default: 'herald.dead', doc: 'where undecodable messages go, with the reason (a fanout exchange with a queue of the same name)' },
  durable_queues: { kind: 'bool', default: false, doc: "oslo's amqp_durable_queues: durable exchanges and queue (must match the deployment)" },
  quorum_queue: { kind: 'bool', default: false, doc: "oslo's rabbit_quorum_queue: Herald's queue is a quorum queue (implies durable)" },
  auto_delete: { kind: 'bool', default: false, doc: "oslo's amqp_auto_delete: exchanges are declared auto-delete (must match the deployment)" },
  prefetch: { kind: 'int', default: 256, doc: 'unacknowledged deliveries in flight (basic.qos)' },
  push_exchange: { kind: 'string', default: 'herald.push', doc: 'topic exchange carrying pushes between nodes (scale_out)' },
};
