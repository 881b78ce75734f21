// The notification source transport_url names (and, in scale-out, its push bus), picked from the
// registry by scheme; the HTTP ingest source beside it when ingest is on.
import type { Registry } from 'prom-client';
import type { Logger } from '../core/log.js';
import type { PushBus } from '../bus/push-bus.js';
import { sourceForUrl, unknownTransportMessage, type SourceSetup } from '../sources/registry.js';
import type { NotificationSource, SourceEvents } from '../sources/source.js';
import { StartupCodes, StartupError } from '../diagnostics/startup.js';
import type { GatewayConfig } from './config.js';

export interface Transport {
  source: NotificationSource;
  bus: PushBus | null;
}

export async function makeTransport(config: GatewayConfig, log: Logger, registry: Registry, eventsFor: (kind: string) => SourceEvents): Promise<Transport> {
  const url = config.collector.transportUrl;
  const factory = sourceForUrl(url);
  if (!factory) throw StartupError.of(StartupCodes.BadTransportUrl, config.path ?? 'environment', unknownTransportMessage(url));
  const setup: SourceSetup = { transportUrl: url, option: (name) => config.option('MESSAGE_COLLECTOR', name), registry, log, events: eventsFor(factory.kind) };
  const source = await factory.create(setup);
  if (!config.collector.scaleOut) return { source, bus: null };
  if (!factory.createBus) throw StartupError.of(StartupCodes.BadTransportUrl, config.path ?? 'environment', `[MESSAGE_COLLECTOR] scale_out: the ${factory.kind} transport carries no pushes between nodes`);
  return { source, bus: await factory.createBus(setup) };
}
