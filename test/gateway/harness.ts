// Real infrastructure for the gateway tests: Debian's RabbitMQ (installed when missing, started
// on 127.0.0.1 by shared/tools/rabbit-up.sh, stopped afterwards), the real oslo.messaging
// Notifier, an oslo-format amqplib publisher for bulk traffic, gateways and WebSocket clients.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import amqplib from 'amqplib';
import WebSocket from 'ws';
import { signHs256 } from '../../runtime/auth/jwt/sign.js';
import { SHARED } from '../helpers.js';
import { loadDefinitions } from '../../compiler/check/definitions.js';
import { loadSettings } from '../../compiler/check/settings.js';
import { compileInMemory, compileTransformsInMemory } from '../../compiler/emit/load.js';
import { loadGatewayConfig } from '../../runtime/gateway/config.js';
import { startGateway, type Gateway } from '../../runtime/gateway/gateway.js';
import { makeLogger } from '../../runtime/gateway/log.js';

const TOOLS = join(SHARED, 'tools');
export const SECRET = 'test-secret-of-at-least-32-bytes-length!';

/**
 * Rules for traffic tests: a push says who it is for (users `target` and `also`: a trait is a
 * scalar, so a second address is a second trait; a `project`) and carries a counter `n`.
 */
export const PUSH_RULES_YAML = `- event_type: test.push
  traits:
    target:
      fields: payload.target
    also:
      fields: payload.also
    project:
      fields: payload.project
    n:
      type: int
      fields: payload.n
`;
export const PUSH_RULES_INI = `[NOTIFY_MANAGER]
transformer = [
    {'event_type': 'test.push', 'event_define': {'event_type': 'websocket.send', 'traits': {'toid': ['@traits.target', '@traits.also'], 'toproject': '@traits.project', 'message': {'n': '@traits.n'}}}},
  ]
`;

/** Installs Debian's packages the gateway tests need, when missing (CI runs as root). */
export function ensurePackages(chromium = false): void {
  const missing: string[] = [];
  if (!existsSync('/usr/lib/rabbitmq/bin/rabbitmq-server')) missing.push('rabbitmq-server');
  if (spawnSync('/usr/bin/python3', ['-c', 'import oslo_messaging'], { stdio: 'ignore' }).status !== 0) missing.push('python3-oslo.messaging', 'python3-kombu');
  if (chromium && !existsSync('/usr/bin/chromium')) missing.push('chromium');
  if (!missing.length) return;
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  // Test files run in parallel: one apt-get at a time (flock), each installing what is still missing.
  const script = `apt-get update -qq && apt-get install -y -qq --no-install-recommends ${missing.join(' ')}`;
  execFileSync('flock', ['/tmp/herald-apt.lock', 'bash', '-c', script], { stdio: 'inherit', env, timeout: 900_000 });
}

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export interface Rabbit {
  port: number;
  url: string;
  base: string;
  up(): void;
  down(): void;
  ctl(args: string[]): string;
}

/** The environment of rabbit-up/down.sh and rabbitmqctl for a broker whose state lives in `base`. */
export function rabbitEnvironment(base: string, port: number, dist: number): NodeJS.ProcessEnv {
  // An Erlang VM that dies (the broker or a rabbitmqctl) writes erl_crash.dump into its working
  // directory, the checkout: keep it in the state dir instead. RabbitMQ's default VM flags, plus
  // schedulers that do not spin when idle: on two cores shared with the gateway and the load
  // generators, a busy-waiting broker takes their CPU.
  return {
    ...process.env,
    RABBIT_BASE: base,
    RABBIT_PORT: String(port),
    RABBIT_DIST_PORT: String(dist),
    RABBIT_TIMEOUT: '90',
    ERL_CRASH_DUMP: join(base, 'erl_crash.dump'),
    RABBITMQ_SERVER_ERL_ARGS: '+P 1048576 +t 5000000 +stbt db +zdbbl 128000 +sbwt none +sbwtdcpu none +sbwtdio none',
  };
}

export async function startRabbit(): Promise<Rabbit> {
  const base = mkdtempSync(join(tmpdir(), 'herald-rabbit-'));
  const port = await freePort();
  const dist = await freePort();
  const env = rabbitEnvironment(base, port, dist);
  const rabbit: Rabbit = {
    port,
    base,
    url: `rabbit://guest:guest@127.0.0.1:${port}/`,
    up: () => void execFileSync('bash', [join(TOOLS, 'rabbit-up.sh')], { env, cwd: base, stdio: ['ignore', 'pipe', 'inherit'] }),
    down: () => void execFileSync('bash', [join(TOOLS, 'rabbit-down.sh')], { env, cwd: base, stdio: ['ignore', 'pipe', 'inherit'] }),
    ctl: (args) => execFileSync('bash', ['-c', `. ${base}/env.sh && rabbitmqctl -q ${args.map((a) => `'${a}'`).join(' ')}`], { encoding: 'utf8', env, cwd: base }),
  };
  rabbit.up();
  return rabbit;
}

/** Publishes records with the real oslo.messaging Notifier (messagingv2 driver). */
export function osloPublish(url: string, records: object[], extra: string[] = []): void {
  const r = spawnSync('/usr/bin/python3', [join(TOOLS, 'oslo_publish.py'), '--url', url, '--quiet', ...extra, '-'], { input: records.map((x) => JSON.stringify(x)).join('\n') + '\n', encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`oslo_publish failed: ${r.stderr}`);
}

/** The bytes oslo's messagingv2 driver puts on the wire for a notification (wire.md §1). */
export function osloEnvelope(n: { event_type: string; payload: unknown; priority?: string; context?: Record<string, unknown> }): Buffer {
  const inner: Record<string, unknown> = {
    message_id: randomUUID(),
    publisher_id: 'test.host',
    event_type: n.event_type,
    priority: n.priority ?? 'INFO',
    payload: n.payload,
    timestamp: new Date().toISOString().replace('T', ' ').replace('Z', ''),
    _unique_id: randomUUID().replace(/-/g, ''),
  };
  for (const [k, v] of Object.entries(n.context ?? {})) inner[`_context_${k}`] = v;
  return Buffer.from(JSON.stringify({ 'oslo.version': '2.0', 'oslo.message': JSON.stringify(inner) }));
}

/** A bulk publisher of raw bodies with publisher confirms (what oslo does, much faster here). */
export async function rawPublisher(port: number) {
  const conn = await amqplib.connect({ hostname: '127.0.0.1', port, username: 'guest', password: 'guest' });
  const ch = await conn.createConfirmChannel();
  return {
    channel: ch,
    async publish(exchange: string, routingKey: string, body: Buffer, headers: Record<string, unknown> = {}): Promise<void> {
      await ch.assertExchange(exchange, 'topic', { durable: false });
      ch.publish(exchange, routingKey, body, { contentType: 'application/json', contentEncoding: 'utf-8', deliveryMode: 2, headers });
    },
    send(exchange: string, routingKey: string, body: Buffer, headers: Record<string, unknown> = {}): void {
      ch.publish(exchange, routingKey, body, { contentType: 'application/json', contentEncoding: 'utf-8', deliveryMode: 2, headers });
    },
    confirm: () => ch.waitForConfirms(),
    close: async () => {
      await ch.close();
      await conn.close();
    },
  };
}

export function token(sub: string, opts: { projects?: string[]; exp?: number; secret?: string; audience?: string } = {}): Promise<string> {
  return signHs256(opts.secret ?? SECRET, { sub, projects: opts.projects, exp: opts.exp ?? Math.floor(Date.now() / 1000) + 3600, audience: opts.audience });
}

/** Rules compiled in memory from definitions YAML and a settings.ini (with its transformer list). */
export function compileRuleTexts(yaml: string, ini: string) {
  const rules = loadDefinitions('test/event_definitions.yaml', yaml).rules!;
  const { settings, diagnostics } = loadSettings('test/settings.ini', ini, rules);
  if (!settings) throw new Error(diagnostics.items.map((d) => d.message).join('\n'));
  return { rules: compileInMemory(rules), transforms: compileTransformsInMemory(rules, settings) };
}

/** A gateway in this process with the given settings.ini text (its transformer list compiled). */
export async function gatewayWith(ini: string, compiled: ReturnType<typeof compileRuleTexts>, env: NodeJS.ProcessEnv = {}): Promise<Gateway> {
  const dir = mkdtempSync(join(tmpdir(), 'herald-gw-'));
  writeFileSync(join(dir, 'settings.ini'), ini);
  const config = loadGatewayConfig(join(dir, 'settings.ini'), env);
  return startGateway({ config, rules: compiled.rules, transforms: compiled.transforms, rulesFrom: 'test', logger: makeLogger('silent') });
}

export interface Frame {
  type: string;
  seq?: number;
  data?: Record<string, unknown>;
  code?: string;
  epoch?: string;
  resumed?: boolean;
  [k: string]: unknown;
}

export interface Client {
  ws: WebSocket;
  frames: Frame[];
  closed: Promise<{ code: number; reason: string }>;
  opened: Promise<void>;
  pushes(): Frame[];
  waitFor(pred: (frames: Frame[]) => boolean, ms?: number): Promise<void>;
}

export function connect(port: number, opts: { token?: string; bearer?: string; origin?: string; query?: string; resume?: { epoch: string; seq: number } } = {}): Client {
  const headers: Record<string, string> = {};
  if (opts.bearer) headers.authorization = `Bearer ${opts.bearer}`;
  const ws = new WebSocket(`ws://127.0.0.1:${port}/ws${opts.query ?? ''}`, 'herald.v1', { headers, origin: opts.origin });
  const frames: Frame[] = [];
  ws.on('message', (m) => frames.push(JSON.parse(m.toString()) as Frame));
  ws.on('error', () => undefined);
  const opened = new Promise<void>((resolve, reject) => {
    ws.once('open', () => {
      if (opts.token !== undefined) ws.send(JSON.stringify(opts.resume ? { type: 'auth', token: opts.token, resume: opts.resume } : { type: 'auth', token: opts.token }));
      resolve();
    });
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
  opened.catch(() => undefined);
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  return {
    ws,
    frames,
    opened,
    closed,
    pushes: () => frames.filter((f) => f.type === 'push'),
    async waitFor(pred, ms = 20000) {
      const until = Date.now() + ms;
      while (!pred(frames)) {
        if (Date.now() > until) throw new Error(`timed out; frames so far: ${JSON.stringify(frames.slice(-5))} (${frames.length})`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
  };
}

export async function ready(c: Client): Promise<Frame> {
  await c.waitFor((f) => f.some((x) => x.type === 'ready' || x.type === 'error'));
  return c.frames.find((x) => x.type === 'ready' || x.type === 'error')!;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls http://127.0.0.1:PORT/PATH until it answers 200; `context` (a child's stderr) goes into the timeout error. */
export async function waitHttp(port: number, path: string, seconds = 60, context: () => string = () => ''): Promise<void> {
  const until = Date.now() + seconds * 1000;
  for (;;) {
    if (await fetch(`http://127.0.0.1:${port}${path}`).then((r) => r.status === 200, () => false)) return;
    if (Date.now() > until) throw new Error(`http://127.0.0.1:${port}${path} never answered 200 ${context()}`);
    await sleep(20);
  }
}

export { spawn };
