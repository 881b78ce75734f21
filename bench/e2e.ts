// e2e and ws groups: Herald end to end against a real RabbitMQ and real WebSocket clients, each
// load generator a separate process, loopback only, every loop bounded in count and time.
import { mkdtempSync, writeFileSync } from 'node:fs';
import type { ChildProcess } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stopOnSignal } from './interrupt.js';
import { ensurePackages, freePort, startRabbit, waitHttp, type Rabbit } from '../test/gateway/harness.js';
import { report } from './report.js';
import { cpuMs, rssBytes, runScript, startClients, startGatewayProcess, waitFrames } from './load/procs.js';
import type { ClientsReport } from './load/clients.js';

export const SECRET = 'bench-secret-bench-secret-bench-secret!';
const RULES_YAML = `- event_type: test.push
  traits:
    target:
      fields: payload.target
    project:
      fields: payload.project
    n:
      type: int
      fields: payload.n
    sent:
      type: int
      fields: payload.sent
    pad:
      fields: payload.pad
`;
const TRANSFORMER = `[NOTIFY_MANAGER]
transformer = [
    {'event_type': 'test.push', 'event_define': {'event_type': 'websocket.send', 'traits': {'toid': '@traits.target', 'toproject': '@traits.project', 'message_type': 'bench', 'message': {'n': '@traits.n', 'sent': '@traits.sent', 'pad': '@traits.pad'}}}},
  ]
`;

export function rulesDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'herald-bench-'));
  writeFileSync(join(dir, 'event_definitions.yaml'), RULES_YAML);
  writeFileSync(join(dir, 'settings.ini'), TRANSFORMER);
  return dir;
}

/** Throughput groups measure speed, not the slow-consumer limit: clients read as fast as they can. */
export const ROOMY = 'max_backpressure = 16777216';

export function config(dir: string, name: string, port: number, collector: string, websocket: string): string {
  const path = join(dir, name);
  writeFileSync(path, `[MESSAGE_COLLECTOR]\n${collector}\n[WEBSOCKET]\nport = ${port}\njwt_secret = ${SECRET}\n${websocket}\n`);
  return path;
}

const percentile = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};

/** A counter or gauge from a /metrics text, by its name and labels as printed (`x{a="b"}`); NaN when it is not there. */
export function metricValue(text: string, name: string): number {
  const literal = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return Number(new RegExp(`^${literal} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
}

/** The upper bound of the first bucket of a Prometheus histogram whose cumulative count reaches quantile q. */
export function histogramQuantile(text: string, name: string, q: number): number {
  const buckets = [...text.matchAll(new RegExp(`^${name}_bucket\\{le="([^"]+)"\\} (\\d+)`, 'gm'))].map((m) => [m[1] === '+Inf' ? Infinity : Number(m[1]), Number(m[2])] as const);
  const total = buckets.at(-1)?.[1] ?? 0;
  return buckets.find(([, n]) => n >= q * total)?.[0] ?? NaN;
}

function vhost(rabbit: Rabbit, name: string, user: string): void {
  rabbit.ctl(['add_vhost', name]);
  rabbit.ctl(['set_permissions', '-p', name, user, '.*', '.*', '.*']);
}

/** e2e.throughput_vs_amqplib_drain, e2e.latency_p50_ms / p99. */
export async function benchE2e(count = Number(process.env.HERALD_BENCH_MESSAGES ?? 40000)): Promise<void> {
  ensurePackages();
  const rabbit = await startRabbit();
  const stopRabbit = stopOnSignal(() => rabbit.down());
  const children: ChildProcess[] = [];
  try {
    const url = (v: string, user = 'guest', pass = 'guest') => `amqp://${user}:${pass}@127.0.0.1:${rabbit.port}/${v}`;
    rabbit.ctl(['add_user', 'filler', 'filler']);
    const users = 100;
    // The ceiling: a bare amqplib consumer draining the pre-filled queue.
    vhost(rabbit, 'drain', 'guest');
    const setup = await import('amqplib').then((a) => a.default.connect(url('drain')));
    const ch = await setup.createChannel();
    await ch.assertExchange('bench-x', 'topic', { durable: false });
    await ch.assertQueue('drain-q', { durable: false });
    await ch.bindQueue('drain-q', 'bench-x', 'notifications.info');
    await ch.close();
    await setup.close();
    await runScript('publisher.ts', { url: url('drain'), exchange: 'bench-x', routingKey: 'notifications.info', count, rate: 0, users });
    const drain = await runScript<{ count: number; seconds: number; cpuUs: number }>('drain.ts', { url: url('drain'), queue: 'drain-q', count, prefetch: 256 });
    const drainRate = drain.count / drain.seconds;

    // Herald: started against a vhost it may not use yet, so the queue can be filled while its
    // clients are connected; it starts consuming when the permission is granted.
    const dir = rulesDir();
    const port = await freePort();
    const cfg = config(dir, 'gw.ini', port, `transport_url = rabbit://guest:guest@127.0.0.1:${rabbit.port}/herald\nexchanges = ['bench-x']\nqueue = herald\nprefetch = 256\nreconnect_max_seconds = 1`, ROOMY);
    rabbit.ctl(['add_vhost', 'herald']);
    rabbit.ctl(['set_permissions', '-p', 'herald', 'filler', '.*', '.*', '.*']);
    const fill = await import('amqplib').then((a) => a.default.connect(url('herald', 'filler', 'filler')));
    const fch = await fill.createChannel();
    await fch.assertExchange('bench-x', 'topic', { durable: false });
    await fch.assertQueue('herald', { durable: false, autoDelete: false, arguments: {} });
    await fch.bindQueue('herald', 'bench-x', 'notifications.info');
    await fch.close();
    await fill.close();
    const gw = startGatewayProcess(dir, cfg);
    children.push(gw);
    await waitHttp(port, '/healthz');
    const clients = await startClients({ port, secret: SECRET, users });
    children.push(clients.child);
    await runScript('publisher.ts', { url: url('herald', 'filler', 'filler'), exchange: 'bench-x', routingKey: 'notifications.info', count, rate: 0, users });
    const cpuBefore = cpuMs(gw.pid!);
    rabbit.ctl(['set_permissions', '-p', 'herald', 'guest', '.*', '.*', '.*']);
    const got = await waitFrames(clients, count, 300);
    const gatewayCpuMs = cpuMs(gw.pid!) - cpuBefore;
    if (got.frames < count) throw new Error(`Herald pushed ${got.frames} of ${count} frames`);
    const heraldRate = count / ((got.lastAt - got.firstAt) / 1000);
    clients.stop();
    report('e2e.herald_notifications_per_s', heraldRate, 'notifications/s', `${count} pre-filled notifications, queue -> decode -> transform -> ${users} WebSocket clients (separate process)`);
    report('e2e.amqplib_drain_per_s', drainRate, 'messages/s', `bare amqplib consumer, same broker, same ${count} messages, prefetch 256, ack each`);
    report('e2e.throughput_vs_amqplib_drain', heraldRate / drainRate, 'x', 'target >= 0.9');
    report('e2e.gateway_cpu_us_per_notification', (gatewayCpuMs * 1000) / count, 'us', `the gateway process's CPU (/proc stat, user+system) over its drain / ${count} notifications: consume, decode, transform, ${users} sockets, ack`);
    report('e2e.drain_cpu_us_per_message', drain.cpuUs / drain.count, 'us', 'CPU of the bare amqplib consumer (process.cpuUsage) over its drain / messages (consume and ack only)');

    // Latency at a fixed 2,000 notifications/s with 1,000 connected clients.
    const many = await startClients({ port, secret: SECRET, users: 1000, latency: true });
    children.push(many.child);
    const seconds = Number(process.env.HERALD_BENCH_LATENCY_SECONDS ?? 10);
    await runScript('publisher.ts', { url: url('herald'), exchange: 'bench-x', routingKey: 'notifications.info', count: 2000 * seconds, rate: 2000, users: 1000 });
    const lat = await waitFrames(many, 2000 * seconds, 60);
    many.stop();
    report('e2e.latency_p50_ms', percentile(lat.latencies, 50), 'ms', `${lat.latencies.length} frames, publish (publisher process clock) to frame (client process), 2,000/s, 1,000 clients`);
    report('e2e.latency_p99_ms', percentile(lat.latencies, 99), 'ms', 'target <= 5');
    // Herald's own share of that: receipt of the delivery to frames handed to the sockets (its histogram).
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    report('e2e.gateway_receipt_to_sockets_p99_ms', histogramQuantile(metrics, 'herald_receipt_to_sockets_seconds', 0.99) * 1000, 'ms', 'upper bound of the histogram bucket holding the 99th percentile, over both runs');
  } finally {
    // SIGTERM first: the gateway shuts down cleanly (and writes its CPU profile when asked).
    for (const c of children) c.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 3000));
    for (const c of children) c.kill('SIGKILL');
    stopRabbit();
  }
}

/** ws.fanout_frames_per_s and ws.idle_conn_bytes on an embedded gateway (no broker). */
export async function benchWs(connections = Number(process.env.HERALD_BENCH_CONNECTIONS ?? 10000)): Promise<void> {
  const dir = rulesDir();
  const port = await freePort();
  const cfg = config(dir, 'ws.ini', port, '', `ingest_token = bench\nmax_connections_per_user = 4\n${ROOMY}`);
  const gw = startGatewayProcess(dir, cfg);
  try {
    await waitHttp(port, '/healthz');
    await new Promise((r) => setTimeout(r, 1000));
    const before = rssBytes(gw.pid!);
    const clients = await startClients({ port, secret: SECRET, users: connections, project: 'all' }, 600);
    await new Promise((r) => setTimeout(r, 2000));
    const after = rssBytes(gw.pid!);
    report('ws.idle_conn_bytes', (after - before) / connections, 'bytes', `RSS growth of the gateway over ${connections} idle authenticated connections (target <= 4096)`);
    const pushes = 5;
    const started = Date.now();
    for (let i = 0; i < pushes; i++) {
      const body = JSON.stringify({ event_type: 'test.push', priority: 'INFO', publisher_id: 'bench', message_id: `f${i}`, timestamp: '2026-11-21 10:00:00', payload: { project: 'all', n: i, sent: Date.now() } });
      await fetch(`http://127.0.0.1:${port}/v1/notifications`, { method: 'POST', headers: { authorization: 'Bearer bench' }, body });
    }
    const got = await waitFrames(clients, pushes * connections, 120);
    // Where a lost frame went: did Herald hand it to a socket, and did it still hold the connection?
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    clients.stop();
    const server = `the gateway handed ${metricValue(metrics, 'herald_frames_sent_total')} frames to sockets and still held ${metricValue(metrics, 'herald_connections')} connections`;
    report('ws.fanout_frames_per_s', got.frames / ((got.lastAt - started) / 1000), 'frames/s', `${pushes} project pushes to ${connections} connections, POST to last frame received`);
    reportLosses(got, pushes, connections, server);
  } finally {
    gw.kill('SIGKILL');
  }
}

/**
 * Which connections got fewer than `pushes` frames, and whether each was told (closed with a
 * code, or sent `reset`): a silent loss is a bug. Reported, not thrown, so later groups still run.
 */
function reportLosses(got: ClientsReport, pushes: number, connections: number, server = ''): void {
  const short: string[] = [];
  for (let i = 0; i < connections; i++) {
    const c = got.perConnection[i];
    if ((c?.frames ?? 0) >= pushes) continue;
    const missing = Array.from({ length: pushes }, (_, k) => k + 1).filter((seq) => !c?.seqs.includes(seq));
    short.push(`user-${i} missed seq ${missing.join(',')}`);
  }
  const closes = Object.entries(got.closeCodes).map(([code, n]) => `${code}:${n}`).join(' ') || 'none';
  const late = got.lateCloses.map((c) => `user-${c.user} ${c.code} ${c.msAfterReady} ms after ready`).join('; ');
  report('ws.fanout_frames_missing', pushes * connections - got.frames, 'frames', `of ${pushes * connections}; ${short.length} connections short; closes by code: ${closes}${late ? ` (${late})` : ''}; resets: ${got.resets}${server ? `; ${server}` : ''}`);
  const told = got.closed + got.resets;
  if (short.length) process.stderr.write(`bench: ws fan-out: ${short.length} connections short (${short.slice(0, 20).join('; ')}${short.length > 20 ? '; …' : ''}); ${told ? `${told} closes or resets seen` : 'none closed or told reset: SILENT LOSS'}\n`);
}

/** fault group: 1% slow clients under load (p99 of the others, memory against the budget), broker restart recovery. */
export async function benchFault(): Promise<void> {
  ensurePackages();
  const rabbit = await startRabbit();
  const stopRabbit = stopOnSignal(() => rabbit.down());
  const children: ChildProcess[] = [];
  try {
    const dir = rulesDir();
    const port = await freePort();
    const budget = 8 * 1024 * 1024;
    const cfg = config(dir, 'fault.ini', port, `transport_url = rabbit://guest:guest@127.0.0.1:${rabbit.port}/\nexchanges = ['bench-x']\nreconnect_max_seconds = 1`, `max_backpressure = 262144\nmax_buffered_bytes = ${budget}`);
    const gw = startGatewayProcess(dir, cfg);
    children.push(gw);
    await waitHttp(port, '/readyz');
    const url = `amqp://guest:guest@127.0.0.1:${rabbit.port}/`;
    const seconds = Number(process.env.HERALD_BENCH_LATENCY_SECONDS ?? 8);
    const run = async (slow: number) => {
      const clients = await startClients({ port, secret: SECRET, users: 1000, latency: true, slow });
      children.push(clients.child);
      const base = rssBytes(gw.pid!);
      let peak = base;
      const sampler = setInterval(() => (peak = Math.max(peak, rssBytes(gw.pid!))), 100);
      // Half the traffic goes to users 0-9 (the slow ones in the second run), 16 KiB each, so a
      // client that stops reading outgrows the kernel's socket buffers within the run.
      await runScript('publisher.ts', { url, exchange: 'bench-x', routingKey: 'notifications.info', count: 2000 * seconds, rate: 2000, users: 1000, pad: 16384, hot: { users: 10, share: 0.5 } });
      const r = await waitFrames(clients, slow ? 1000 * seconds * 0.99 : 2000 * seconds, 60);
      await new Promise((res) => setTimeout(res, 2500));
      clearInterval(sampler);
      const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      const slowClosed = metricValue(metrics, 'herald_slow_consumers_closed_total') || 0;
      clients.stop();
      return { p99: percentile(r.latencies, 99), growth: peak - base, slowClosed };
    };
    const calm = await run(0);
    const slow = await run(10);
    report('fault.p99_no_slow_ms', calm.p99, 'ms', '2,000/s with 16 KiB pads, half of them to users 0-9, 1,000 clients');
    report('fault.p99_with_1pct_slow_ms', slow.p99, 'ms', `the same traffic; users 0-9 stop reading (latency of the other 990); ${slow.slowClosed} closed with 4009 (gateway metric)`);
    report('fault.slow_clients_p99_ratio', slow.p99 / Math.max(1, calm.p99), 'x', 'target <= 2');
    report('fault.slow_clients_rss_growth_mb', slow.growth / 1024 / 1024, 'MiB', `peak RSS growth during the slow run; max_buffered_bytes is ${budget / 1024 / 1024} MiB`);

    // Broker stop/start: from the broker accepting connections again to Herald pushing again.
    const watcher = await startClients({ port, secret: SECRET, users: 1 });
    children.push(watcher.child);
    rabbit.down();
    rabbit.up();
    const up = Date.now();
    const amqp = (await import('amqplib')).default;
    const conn = await amqp.connect(url);
    const ch = await conn.createChannel();
    await ch.assertExchange('bench-x', 'topic', { durable: false });
    let recovered = NaN;
    for (let i = 0; i < 1200; i++) {
      ch.publish('bench-x', 'notifications.info', Buffer.from(JSON.stringify({ event_type: 'test.push', priority: 'INFO', publisher_id: 'bench', message_id: `r${i}`, timestamp: '2026-11-21 10:00:00', payload: { target: 'user-0', n: i, sent: Date.now() } })));
      await new Promise((r) => setTimeout(r, 25));
      const r = await watcher.report();
      if (r.frames > 0) {
        recovered = (r.firstAt - up) / 1000;
        break;
      }
    }
    await ch.close();
    await conn.close();
    watcher.stop();
    report('fault.broker_recovery_s', recovered, 's', 'broker accepting connections again -> first push from Herald (reconnect back-off, topology, consume)');
  } finally {
    for (const c of children) c.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 2000));
    for (const c of children) c.kill('SIGKILL');
    stopRabbit();
  }
}
