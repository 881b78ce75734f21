// The running service: configuration + compiled rules -> hub, WebSocket server, AMQP consumer
// (or HTTP ingest in embedded mode), metrics and logs, and an orderly stop.
import { randomBytes } from 'node:crypto';
import uWS from 'uWebSockets.js';
import type { CompiledRules } from '../decode/rt.js';
import type { CompiledTransforms } from '../transform/rt.js';
import type { GatewayConfig } from './config.js';
import { StartupCodes, StartupError } from '../diagnostics/startup.js';
import { loadVerifier } from './keys.js';
import { Hub } from './hub.js';
import { signHs256 } from './auth.js';
import { makeMetrics, type Metrics } from './metrics.js';
import { makeLogger, type Logger } from './log.js';
import { makePipeline, type Processed } from './pipeline.js';
import { readBody, RecentIds, type WireLimits } from './wire.js';
import { startServer, type GatewayServer } from './server.js';
import { Consumer, type Verdict } from '../amqp/consumer.js';
import { PushRouter, routedMessages } from '../amqp/push-router.js';
import type { PyDict } from '../semantics/pyvalue.js';
import { refusalOf } from './refusal.js';
import { makeHttpIngest } from './ingest.js';

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

export async function startGateway(opts: GatewayOptions): Promise<Gateway> {
  const { config, rules, transforms } = opts;
  const log = opts.logger ?? makeLogger();
  nativeCheck(config, log);
  checkRulesMatch(config, rules, transforms, opts.rulesFrom);
  const ws = config.websocket;
  const metrics = makeMetrics();
  const scaleOut = config.collector.scaleOut && !config.embedded;
  const hub = new Hub({ replaySize: ws.replaySize, replaySeconds: ws.replaySeconds, forgetOnLastDetach: scaleOut });
  const pipeline = makePipeline(rules, transforms);
  const limits: WireLimits = { maxMessageBytes: config.collector.maxMessageBytes, maxJsonDepth: config.collector.maxJsonDepth };
  const recent = new RecentIds(config.collector.dedupeSize);

  // Embedded mode with no key configured: a per-process secret and a development-token route,
  // only when listening on loopback.
  const noKey = !ws.jwtSecret && !ws.jwtPublicKeyFile && !ws.jwtJwksFile;
  const loopback = /^(127\.|::1$|localhost$)/.test(ws.host);
  let devSecret: string | undefined;
  if (noKey) {
    if (!config.embedded || !loopback) throw StartupError.of(StartupCodes.NeedsKey, config.path ?? 'configuration', '[WEBSOCKET] needs jwt_secret, jwt_public_key_file or jwt_jwks_file (only an embedded gateway on loopback may run without one)');
    devSecret = randomBytes(32).toString('hex');
  }
  const verify = await loadVerifier(ws, devSecret);

  let server: GatewayServer | null = null;

  function handToSockets(users: readonly string[], projects: readonly string[], data: string): void {
    const before = hub.stats.frames;
    server?.batch(() => hub.deliver(users, projects, data));
    metrics.frames.inc(hub.stats.frames - before);
  }

  const router = scaleOut
    ? new PushRouter(config.collector.pushExchange, log, {
        deliver: (p) => handToSockets(p.users, p.projects, p.data),
        interrupted: () => server?.batch(() => hub.interrupt('the push stream was interrupted (broker connection lost): reload')),
      })
    : null;

  /** Decode, transform and (single node) hand to the sockets; the caller acks afterwards. */
  function decodeAndHandOver(message: PyDict, source: 'amqp' | 'http'): Processed {
    metrics.received.inc({ source });
    const started = performance.now();
    const out = pipeline(message);
    metrics.decodeSeconds.observe((performance.now() - started) / 1000);
    if (out.result.kind === 'event') metrics.decoded.inc();
    else if (out.result.kind === 'dropped') metrics.dropped.inc({ reason: out.result.code });
    for (const u of out.unaddressed) {
      metrics.unaddressed.inc();
      log.warn({ message_id: u.messageId, rule: u.rule }, 'websocket.send output without toid: not delivered');
    }
    if (out.pushes.length) {
      metrics.pushes.inc(out.pushes.length);
      // Scale-out: the consumer publishes them to the push exchange instead.
      if (!router) {
        for (const p of out.pushes) handToSockets(p.users, p.projects, p.data);
        metrics.handOverSeconds.observe((performance.now() - started) / 1000);
      }
    }
    return out;
  }

  const consumer = config.embedded
    ? null
    : new Consumer(
        config.collector,
        (body, headers): Verdict => {
          const r = readBody(body, headers.compression, limits);
          if (!r.ok) return { kind: 'dead-letter', reason: r.reason };
          if (r.uniqueId !== null && recent.seen(r.uniqueId)) {
            metrics.duplicates.inc();
            return { kind: 'ack' };
          }
          const out = decodeAndHandOver(r.message, 'amqp');
          const reason = refusalOf(r.message, out);
          if (reason) return { kind: 'dead-letter', reason };
          if (router && out.pushes.length) return { kind: 'publish', exchange: config.collector.pushExchange, messages: out.pushes.flatMap(routedMessages) };
          return { kind: 'ack' };
        },
        log,
        {
          onConnected: async (_target, connection) => {
            metrics.reconnects.inc();
            await router?.setup(connection);
          },
          onDeadLetter: (reason) => {
            metrics.deadLettered.inc({ source: 'amqp', reason: reason.code });
            log.warn({ source: 'amqp', code: reason.code, reason: reason.message }, 'dead-lettered');
          },
        },
      );

  const ingestEnabled = ws.ingestToken !== null || config.embedded;
  server = await startServer(ws, hub, verify, metrics, log, {
    hold: router
      ? async (identity) => {
          await router.hold(identity.user, identity.projects);
          return () => router.release(identity.user, identity.projects);
        }
      : null,
    ready: () => (consumer && !consumer.consuming ? { ok: false, why: 'not consuming from the broker' } : { ok: true, why: `ready: rules ${rules.source.sha256.slice(0, 12)}` }),
    devToken: devSecret
      ? (sub, projects) => signHs256(devSecret, { sub, projects, exp: Math.floor(Date.now() / 1000) + 12 * 3600 })
      : null,
    ingest: ingestEnabled
      ? makeHttpIngest({
          limits,
          recent,
          metrics,
          log,
          handOver: (message) => {
            const out = decodeAndHandOver(message, 'http');
            // Scale-out: HTTP ingest has no broker verdict to publish with; its pushes go to this node's sockets.
            if (router) for (const p of out.pushes) handToSockets(p.users, p.projects, p.data);
            return out;
          },
        })
      : null,
  });
  // Said once serving (a start that fails says only why it failed).
  if (devSecret) log.warn('no JWT key configured: embedded development mode, tokens from POST /v1/dev-token');
  consumer?.start();
  const sweeper = setInterval(() => hub.sweep(), 30_000);
  sweeper.unref();
  log.info({ host: ws.host, port: server.port, path: ws.path, embedded: config.embedded, rules: opts.rulesFrom, epoch: hub.epoch }, 'herald gateway listening');

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
        await consumer?.stop();
        await server!.close();
        clearTimeout(deadline);
        log.info('stopped');
        log.flush();
      })();
      return stopped;
    },
  };
}
