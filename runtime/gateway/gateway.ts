// The composition root: configuration + compiled rules -> authenticators, hub, WebSocket server,
// the notification source transport_url names (its push bus in scale-out) and HTTP ingest,
// metrics and logs, and an orderly stop. Every part is built elsewhere; this file only connects.
import uWS from 'uWebSockets.js';
import type { CompiledRules } from '../decode/rt.js';
import type { CompiledTransforms } from '../transform/rt.js';
import type { GatewayConfig } from './config.js';
import { StartupCodes, StartupError } from '../diagnostics/startup.js';
import { Hub, type HubPush } from '../hub/hub.js';
import { makeMetrics, type Metrics } from './metrics.js';
import { makeLogger, type Logger } from '../core/log.js';
import { makePipeline } from './pipeline.js';
import { RecentIds } from '../core/recent-ids.js';
import type { Readiness } from '../core/readiness.js';
import { routeAuth } from '../auth/router.js';
import { startServer, type GatewayServer } from '../server/server.js';
import { httpRoutes } from '../server/routes/index.js';
import type { ServerEvents } from '../server/socket.js';
import type { Reason, SourceEvents } from '../sources/source.js';
import { HttpIngestSource } from '../sources/http/source.js';
import { makeAuthenticators } from './authenticators.js';
import { makeTransport } from './transport.js';
import { makeDeliveryHandler } from './notifications.js';
import { LIVE_PAGE } from './live-page.js';

export interface GatewayOptions {
  config: GatewayConfig;
  rules: CompiledRules;
  transforms: CompiledTransforms;
  /** Where the rules came from, for logs. */
  rulesFrom: string;
  logger?: Logger;
}

export interface Gateway {
  port: number;
  hub: Hub;
  metrics: Metrics;
  config: GatewayConfig;
  stop(): Promise<void>;
}

/** Refuses to run rules and a configuration that do not belong together (cli.md, serve). */
export function checkRulesMatch(config: GatewayConfig, rules: CompiledRules, transforms: CompiledTransforms, rulesFrom: string): void {
  if (transforms.definitionsSha256 !== rules.source.sha256) throw StartupError.of(StartupCodes.RulesMismatch, rulesFrom, 'the transformers were compiled against other event definitions than the decoders: run `herald compile`');
  if (config.transformerDigest !== null && config.transformerDigest !== transforms.source.transformerDigest)
    throw StartupError.of(
      StartupCodes.RulesMismatch,
      config.path ?? 'configuration',
      `[NOTIFY_MANAGER] transformer differs from the compiled one (${transforms.source.path} in ${rulesFrom}): compile this file (\`herald compile --rules DIR\`) or start with \`herald serve --rules DIR\``,
    );
}

function nativeCheck(config: GatewayConfig, log: Logger): void {
  if (typeof (uWS as unknown as { getParts?: unknown }).getParts === 'function') return;
  const msg = "uWebSockets.js's native binary did not load, so the package fell back to a slow JavaScript imitation";
  if (!config.websocket.allowJsFallback) throw StartupError.of(StartupCodes.NativeMissing, 'herald serve', `${msg}; refusing to start (set allow_js_fallback = True in [WEBSOCKET] to run anyway)`);
  log.warn(msg);
}

function sourceEvents(kind: string, metrics: Metrics, log: Logger): SourceEvents {
  return {
    connected: () => metrics.reconnects.inc({ source: kind }),
    deadLettered: (reason: Reason) => metrics.deadLettered.inc({ source: kind, reason: reason.code }),
  };
}

function serverEvents(metrics: Metrics, log: Logger): ServerEvents {
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
function readiness(parts: Array<{ readiness(): Readiness } | null>, rulesSha: string): Readiness {
  for (const p of parts) {
    const r = p?.readiness();
    if (r && !r.ready) return r;
  }
  return { ready: true, why: `ready: rules ${rulesSha.slice(0, 12)}` };
}

export async function startGateway(opts: GatewayOptions): Promise<Gateway> {
  const { config, rules, transforms } = opts;
  const log = opts.logger ?? makeLogger();
  nativeCheck(config, log);
  checkRulesMatch(config, rules, transforms, opts.rulesFrom);
  const ws = config.websocket;
  const metrics = makeMetrics();
  const auth = await makeAuthenticators(config, log, metrics.registry);
  const transport = config.embedded ? null : await makeTransport(config, log, metrics.registry, (kind) => sourceEvents(kind, metrics, log));
  const bus = transport?.bus ?? null;
  const hub = new Hub({ replaySize: ws.replaySize, replaySeconds: ws.replaySeconds, dedupeSize: config.collector.dedupeSize, forgetOnLastDetach: bus !== null });
  const ingestOn = ws.ingestToken !== null || config.embedded;
  const http = ingestOn ? new HttpIngestSource(sourceEvents('http', metrics, log)) : null;

  let server: GatewayServer | null = null;
  const handToSockets = (push: HubPush): void => {
    const before = hub.stats.frames;
    server?.batch(() => {
      if (!hub.deliver(push)) metrics.repeatedPushes.inc();
    });
    metrics.frames.inc(hub.stats.frames - before);
  };
  const handling = { pipeline: makePipeline(rules, transforms), limits: { maxMessageBytes: config.collector.maxMessageBytes, maxJsonDepth: config.collector.maxJsonDepth }, recent: new RecentIds(config.collector.dedupeSize), metrics, log, deliver: handToSockets, bus };

  server = await startServer(ws, {
    hub,
    authenticate: routeAuth(auth.list),
    events: serverEvents(metrics, log),
    hold: bus ? (identity) => bus.hold({ users: [identity.user], projects: identity.projects }) : null,
    routes: httpRoutes({
      ready: () => readiness([transport?.source ?? null, bus], rules.source.sha256),
      metrics: { contentType: metrics.registry.contentType, text: () => metrics.registry.metrics() },
      livePage: LIVE_PAGE,
      ingest: { ingest: http ? (body) => http.ingest(body) : null, token: ws.ingestToken, refused: (code) => metrics.deadLettered.inc({ source: 'http', reason: code }) },
      devToken: auth.devToken,
    }),
  });
  await bus?.start({ deliver: handToSockets, interrupted: (why) => server?.batch(() => hub.interrupt(why)) });
  transport?.source.start(makeDeliveryHandler(transport.source.kind, handling));
  http?.start(makeDeliveryHandler(http.kind, handling));
  const sweeper = setInterval(() => hub.sweep(), 30_000);
  sweeper.unref();
  log.info({ host: ws.host, port: server.port, path: ws.path, embedded: config.embedded, source: transport?.source.kind ?? null, authenticators: auth.list.map((a) => a.kind), rules: opts.rulesFrom, epoch: hub.epoch }, 'herald gateway listening');

  let stopped: Promise<void> | null = null;
  return {
    port: server.port,
    hub,
    metrics,
    config,
    stop() {
      stopped ??= (async () => {
        const deadline = setTimeout(() => {
          log.error('shutdown_timeout passed; exiting');
          process.exit(1);
        }, ws.shutdownTimeout * 1000);
        deadline.unref();
        clearInterval(sweeper);
        // Consuming stops first: deliveries after this are returned to the queue, not acked.
        await transport?.source.stop();
        await http?.stop();
        await server!.close();
        await bus?.stop();
        for (const a of auth.list) await a.close?.();
        clearTimeout(deadline);
        log.info('stopped');
        log.flush();
      })();
      return stopped;
    },
  };
}
