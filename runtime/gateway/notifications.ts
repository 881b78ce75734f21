// What the gateway does with one delivery from any source: read the oslo body, drop a
// redelivered `_unique_id`, decode and transform, count, and give the verdict. Single node: the
// pushes go to the hub now (handed over). Scale-out: they are published to the push bus first and
// the verdict settles once the bus has them (the source acknowledges only then).
import { randomUUID } from 'node:crypto';
import type { Logger } from '../core/log.js';
import type { RecentIds } from '../core/recent-ids.js';
import type { PushBus, RoutedPush } from '../bus/push-bus.js';
import type { HubPush } from '../hub/hub.js';
import type { Delivery, DeliveryHandler, Reason, Verdict } from '../sources/source.js';
import type { Metrics } from './metrics.js';
import type { Pipeline, Processed } from './pipeline.js';
import { refusalOf } from './refusal.js';
import { readBody, type WireLimits } from './wire.js';

/** How long a delivery whose pushes the bus refused waits before it is given back (no hot requeue loop). */
const BUS_RETRY_MS = 1000;
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface NotificationDeps {
  pipeline: Pipeline;
  limits: WireLimits;
  /** Recent `_unique_id`s, shared by every source (the same notification over two paths is one). */
  recent: RecentIds;
  metrics: Metrics;
  log: Logger;
  /** Single node: hands one push to the sockets. */
  deliver(push: HubPush): void;
  /** Scale-out: the engine that carries pushes to the nodes holding their audience. */
  bus: PushBus | null;
  /** Embedded mode: push frames name their transformer entry, for the console. */
  ruleInFrames: boolean;
}

/**
 * The id every copy of a push carries: the same on a redelivery of the same record (the
 * transport's redelivery key, or oslo's `_unique_id`), so the hub drops a repeat; null when the
 * notification has neither.
 */
export function pushIds(key: string | null, count: number): Array<string | null> {
  return Array.from({ length: count }, (_, i) => (key === null ? null : `${key}#${i}`));
}

function countDecode(m: Metrics, log: Logger, out: Processed): void {
  if (out.result.kind === 'event') m.decoded.inc();
  else if (out.result.kind === 'dropped') m.dropped.inc({ reason: out.result.code });
  for (const u of out.unaddressed) {
    m.unaddressed.inc();
    log.warn({ message_id: u.messageId, rule: u.rule }, 'websocket.send output without toid: not delivered');
  }
}

export function makeDeliveryHandler(source: string, deps: NotificationDeps): DeliveryHandler {
  const { metrics, log } = deps;
  const deadLetter = (reason: Reason, messageId: string | null = null, rule: string | null = null): Verdict => {
    log.warn({ source, code: reason.code, message_id: messageId, rule, reason: reason.message }, 'notification refused');
    return { kind: 'dead-letter', reason };
  };
  return (delivery: Delivery): Verdict => {
    metrics.received.inc({ source });
    const started = performance.now();
    const r = readBody(delivery.body, delivery.headers.compression, deps.limits, deps.pipeline.readsOf);
    if (!r.ok) return deadLetter(r.reason);
    if (r.uniqueId !== null && deps.recent.seen(r.uniqueId)) {
      metrics.duplicates.inc();
      return { kind: 'dropped', reason: { code: 'duplicate', message: `_unique_id ${r.uniqueId} was received recently` } };
    }
    const out = deps.pipeline(r.message);
    metrics.decodeSeconds.observe((performance.now() - started) / 1000);
    countDecode(metrics, log, out);
    const id = r.message.get('message_id');
    const messageId = typeof id === 'string' ? id : null;
    const refusal = refusalOf(r.message, out);
    if (refusal) return deadLetter(refusal, messageId, out.result.kind === 'error' ? (out.result.rule ?? null) : null);
    if (out.result.kind === 'dropped') return { kind: 'dropped', reason: { code: out.result.code, message: out.result.reason } };
    const handedOver: Verdict = { kind: 'handed-over', messageId, pushes: out.pushes.length };
    if (!out.pushes.length) return handedOver;
    metrics.pushes.inc(out.pushes.length);
    const ids = pushIds(delivery.redeliveryKey ?? r.uniqueId, out.pushes.length);
    if (deps.bus) {
      const routed: RoutedPush[] = out.pushes.map((p, i) => ({ id: ids[i] ?? randomUUID(), users: p.users, projects: p.projects, data: p.data }));
      // A bus that cannot take them now: the delivery goes back to its source after a pause, not at once.
      return { kind: 'pending', settled: deps.bus.publish(routed).then(() => handedOver, (e: Error) => pause(BUS_RETRY_MS).then(() => Promise.reject(e))) };
    }
    out.pushes.forEach((p, i) => deps.deliver({ id: ids[i]!, users: p.users, projects: p.projects, data: p.data, ...(deps.ruleInFrames ? { rule: p.rule } : {}) }));
    metrics.handOverSeconds.observe((performance.now() - started) / 1000);
    return handedOver;
  };
}
