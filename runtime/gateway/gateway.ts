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
import { routeAuth } from '../auth/router.js';
import { startServer, type GatewayServer } from '../server/server.js';
import { httpRoutes } from '../server/routes/index.js';
import { readiness, serverEvents, sourceEvents } from './observe.js';
import { HttpIngestSource } from '../sources/http/source.js';
import { makeAuthenticators } from './authenticators.js';
import { makeTransport } from './transport.js';
import { makeDeliveryHandler } from './notifications.js';
import { LIVE_PAGE } from './live-page.js';
import { CONSOLE_PICKER } from './console/picker.js';

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

/** Runs the shutdown steps in order; past shutdown_timeout the process exits. */
async function stopInOrder(steps: Array<() => Promise<void> | undefined>, timeoutSeconds: number, log: Logger): Promise<void> {
  const deadline = setTimeout(() => {
    log.error('shutdown_timeout passed; exiting');
    process.exit(1);
  }, timeoutSeconds * 1000);
  deadline.unref();
  for (const step of steps) await step();
  clearTimeout(deadline);
  log.info('stopped');
  log.flush();
}

export async function startGateway(opts: GatewayOptions): Promise<Gateway> {
  const { config, rules, transforms } = opts;
  const log = opts.logger ?? makeLogger();
  nativeCheck(config, log);
  checkRulesMatch(config, rules, transforms, opts.rulesFrom);
  const ws = config.websocket;
  const metrics = makeMetrics();
  const auth = await makeAuthenticators(config, log, metrics.registry);
  const transport = config.embedded ? null : await makeTransport(config, log, metrics.registry, (kind) => sourceEvents(kind, metrics));
  const bus = transport?.bus ?? null;
  const hub = new Hub({ replaySize: ws.replaySize, replaySeconds: ws.replaySeconds, dedupeSize: config.collector.dedupeSize, forgetOnLastDetach: bus !== null });
  const ingestOn = ws.ingestToken !== null || config.embedded;
  const http = ingestOn ? new HttpIngestSource(sourceEvents('http', metrics)) : null;

  let server: GatewayServer | null = null;
  const handToSockets = (push: HubPush): void => {
    const before = hub.stats.frames;
    server?.batch(() => {
      if (!hub.deliver(push)) metrics.repeatedPushes.inc();
    });
    metrics.frames.inc(hub.stats.frames - before);
  };
  const handling = { pipeline: makePipeline(rules, transforms), limits: { maxMessageBytes: config.collector.maxMessageBytes, maxJsonDepth: config.collector.maxJsonDepth }, recent: new RecentIds(config.collector.dedupeSize), metrics, log, deliver: handToSockets, bus, ruleInFrames: config.embedded };

  server = await startServer(ws, {
    hub,
    authenticate: routeAuth(auth.list),
    events: serverEvents(metrics, log),
    hold: bus ? (identity) => bus.hold({ users: [identity.user], projects: identity.projects }) : null,
    routes: httpRoutes({
      ready: () => readiness([transport?.source ?? null, bus], rules.source.sha256),
      metrics: { contentType: metrics.registry.contentType, text: () => metrics.registry.metrics() },
      livePage: LIVE_PAGE,
      ingest: { ingest: http ? (body) => http.ingest(body) : null, token: ws.ingestToken, tooBig: (code) => metrics.deadLettered.inc({ source: 'http', reason: code }) },
      devToken: auth.devToken,
      consoleSamples: http && ws.ingestToken === null ? CONSOLE_PICKER : null,
    }),
  });
  // Consuming starts once the push bus has this node's queue (scale-out); the start itself does
  // not wait for a broker: /readyz says 503 until both are up.
  const busUp = bus ? bus.start({ deliver: handToSockets, interrupted: (why) => server?.batch(() => hub.interrupt(why)) }) : Promise.resolve();
  void busUp.then(() => transport?.source.start(makeDeliveryHandler(transport.source.kind, handling)));
  http?.start(makeDeliveryHandler(http.kind, handling));
  const sweeper = setInterval(() => hub.sweep(), 30_000);
  sweeper.unref();
  // Said once serving: a start that fails says only why it failed (one line).
  if (auth.devToken) log.warn('no authenticator configured: embedded development mode, tokens from POST /v1/dev-token');
  log.info({ host: ws.host, port: server.port, path: ws.path, embedded: config.embedded, source: transport?.source.kind ?? null, authenticators: auth.list.map((a) => a.kind), rules: opts.rulesFrom, epoch: hub.epoch }, 'herald gateway listening');

  let stopped: Promise<void> | null = null;
  return {
    port: server.port,
    hub,
    metrics,
    config,
    stop() {
      clearInterval(sweeper);
      // Consuming stops first: deliveries after this are returned to the queue, not acked.
      const steps = [() => transport?.source.stop(), () => http?.stop(), () => server!.close(), () => bus?.stop(), ...auth.list.map((a) => () => a.close?.())];
      stopped ??= stopInOrder(steps, ws.shutdownTimeout, log);
      return stopped;
    },
  };
}
