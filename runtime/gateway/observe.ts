// How the gateway's parts report: source and server events become metrics (labelled by codes)
// and logs; readiness is the first part that is not ready, or the rules in use.
import type { Logger } from '../core/log.js';
import type { Readiness } from '../core/readiness.js';
import type { ServerEvents } from '../server/socket.js';
import type { Reason, SourceEvents } from '../sources/source.js';
import type { Metrics } from './metrics.js';

export function sourceEvents(kind: string, metrics: Metrics): SourceEvents {
  return {
    connected: () => metrics.reconnects.inc({ source: kind }),
    deadLettered: (reason: Reason) => metrics.deadLettered.inc({ source: kind, reason: reason.code }),
  };
}

export function serverEvents(metrics: Metrics, log: Logger): ServerEvents {
  return {
    refused: (code) => metrics.authFailures.inc({ code }),
    slowClosed: (user, why) => {
      metrics.slowClosed.inc();
      log.warn({ user, why }, 'slow consumer closed');
    },
    connected: () => metrics.connections.inc(),
    disconnected: () => metrics.connections.dec(),
    replay: (outcome) => metrics.replays.inc({ outcome }),
  };
}

/** Ready when every part that talks to a broker is; the first that is not says why. */
export function readiness(parts: Array<{ readiness(): Readiness } | null>, rulesSha: string): Readiness {
  for (const p of parts) {
    const r = p?.readiness();
    if (r && !r.ready) return r;
  }
  return { ready: true, why: `ready: rules ${rulesSha.slice(0, 12)}` };
}

