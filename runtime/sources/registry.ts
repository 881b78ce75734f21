// Every notification transport Herald has, in one place: a transport is one folder under
// runtime/sources/ plus one line in SOURCES. `transport_url`'s scheme picks the entry.
import type { Registry } from 'prom-client';
import type { OptionSpec } from '../core/options.js';
import type { PyValue } from '../semantics/pyvalue.js';
import type { PushBus } from '../bus/push-bus.js';
import type { NotificationSource, SourceContext } from './source.js';
import { rabbitmqFactory } from './rabbitmq/index.js';
import { kafkaFactory } from './kafka/index.js';

export interface SourceSetup extends SourceContext {
  /** `[MESSAGE_COLLECTOR] transport_url` as written. */
  transportUrl: string;
  /** A `[MESSAGE_COLLECTOR]` option's value (its own options and the shared ones). */
  option(name: string): PyValue;
  /** Where the transport registers metrics of its own. */
  registry: Registry;
}

export interface SourceFactory {
  kind: string;
  /** transport_url schemes it serves, without `://` (`rabbit`, `kafka`). */
  schemes: readonly string[];
  /** Its own `[MESSAGE_COLLECTOR]` options (merged into the settings schema). */
  options: Readonly<Record<string, OptionSpec>>;
  /** A transport_url of its scheme that it cannot use: the start-up error's words (no credentials); null when fine. */
  checkUrl?(url: string): string | null;
  create(setup: SourceSetup): Promise<NotificationSource>;
  /** Scale-out over the same engine; absent when the engine cannot carry pushes. */
  createBus?(setup: SourceSetup): Promise<PushBus>;
}

export const SOURCES: readonly SourceFactory[] = [rabbitmqFactory, kafkaFactory];

export function sourceForUrl(url: string): SourceFactory | undefined {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url)?.[1]?.toLowerCase();
  return SOURCES.find((s) => scheme !== undefined && s.schemes.includes(scheme));
}

/** The one-line start-up error for a transport_url no source serves (credentials never shown). */
export function unknownTransportMessage(url: string): string {
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1] ?? '';
  const known = SOURCES.flatMap((s) => s.schemes.map((x) => `${x}://`)).join(', ');
  return `[MESSAGE_COLLECTOR] transport_url: ${scheme ? `scheme '${scheme}://'` : 'no scheme'} is not a known transport (known: ${known})`;
}
