// Prometheus metrics (prom-client), one registry per gateway so tests can run several.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export function makeMetrics() {
  const registry = new Registry();
  // prom-client's names already say process_/nodejs_: the prefix only adds ours.
  collectDefaultMetrics({ register: registry, prefix: 'herald_' });
  const counter = (name: string, help: string, labelNames: string[] = []) => new Counter({ name, help, labelNames, registers: [registry] });
  return {
    registry,
    received: counter('herald_notifications_received_total', 'Notifications received, by source (rabbitmq, http, …: the source kind)', ['source']),
    decoded: counter('herald_notifications_decoded_total', 'Notifications decoded into an event'),
    dropped: counter('herald_notifications_dropped_total', 'Notifications that produced no event, by reason', ['reason']),
    deadLettered: counter('herald_notifications_dead_lettered_total', 'Notifications sent to the dead-letter exchange, or refused over HTTP (400, 413), by source and reason code', ['source', 'reason']),
    duplicates: counter('herald_notifications_duplicate_total', 'Redeliveries of a recently seen _unique_id, dropped'),
    repeatedPushes: counter('herald_pushes_repeated_total', 'Pushes whose id the hub delivered recently (a redelivery or a second copy), dropped'),
    pushes: counter('herald_pushes_total', 'websocket.send outputs delivered to the hub'),
    frames: counter('herald_frames_sent_total', 'Push frames handed to sockets'),
    unaddressed: counter('herald_pushes_unaddressed_total', 'websocket.send outputs with no toid, not delivered'),
    authFailures: counter('herald_auth_failures_total', 'Refused sockets, by code', ['code']),
    replays: counter('herald_replay_total', 'Resumes, by outcome (resumed, reset)', ['outcome']),
    slowClosed: counter('herald_slow_consumers_closed_total', 'Sockets closed with 4009 for backpressure'),
    reconnects: counter('herald_source_connects_total', 'Connections a source made to its broker and started consuming on, by source', ['source']),
    connections: new Gauge({ name: 'herald_connections', help: 'Open authenticated sockets', registers: [registry] }),
    decodeSeconds: new Histogram({ name: 'herald_decode_seconds', help: 'Decode + transform time per notification (CPU work inside Herald, no I/O)', buckets: [1e-5, 5e-5, 1e-4, 5e-4, 1e-3, 5e-3, 0.01], registers: [registry] }),
    // Measured from receipt, not from the notification's own timestamp: a sample or a replayed
    // message carries an old one, and publisher clocks are not ours.
    handOverSeconds: new Histogram({
      name: 'herald_receipt_to_sockets_seconds',
      help: 'Per notification with pushes (single node): from its receipt (broker delivery or complete HTTP body) until its push frames are handed to the sockets (decode, transform, fan-out; not the network to the browser)',
      buckets: [1e-5, 5e-5, 1e-4, 5e-4, 1e-3, 5e-3, 0.01, 0.05, 0.1, 0.5],
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof makeMetrics>;
