// The moving parts around the cluster: Herald as its own process (`herald serve`), the real oslo
// Notifier publishing steadily (shared/tools/oslo_publish.py --durable --quorum), WebSocket
// clients that timestamp every push, and a /readyz watcher.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, SHARED } from '../helpers.js';
import { connect, freePort, ready, sleep, token, waitHttp, SECRET, type Client } from '../gateway/harness.js';

/** Every push carries the publisher's sequence number and send time (oslo_publish --stamp). */
const RULES_YAML = `- event_type: test.push
  traits:
    target:
      fields: payload.target
    n:
      type: int
      fields: payload._seq
    sent:
      type: float
      fields: payload._sent_at
`;
const RULES_INI = `[NOTIFY_MANAGER]
transformer = [
    {'event_type': 'test.push', 'event_define': {'event_type': 'websocket.send', 'traits': {'toid': '@traits.target', 'message': {'n': '@traits.n', 'sent': '@traits.sent'}}}},
  ]
`;
export const TARGET = 'cluster-watcher';

export interface Herald {
  port: number;
  child: ChildProcess;
  /** Herald's own log lines (pino JSON), for the report when something goes wrong. */
  log: string[];
  stop(): Promise<void>;
}

export async function startHerald(opts: { transportUrl: string; exchange: string; topic: string; queue: string }): Promise<Herald> {
  const dir = mkdtempSync(join(tmpdir(), 'herald-cluster-gw-'));
  writeFileSync(join(dir, 'event_definitions.yaml'), RULES_YAML);
  writeFileSync(join(dir, 'settings.ini'), RULES_INI);
  const port = await freePort();
  const cfg = join(dir, 'gateway.ini');
  writeFileSync(
    cfg,
    [
      '[MESSAGE_COLLECTOR]',
      `transport_url = ${opts.transportUrl}`,
      `exchanges = ['${opts.exchange}']`,
      `topics = ['${opts.topic}']`,
      `queue = ${opts.queue}`,
      'quorum_queue = True',
      'durable_queues = True',
      'prefetch = 100',
      'reconnect_max_seconds = 1',
      '[WEBSOCKET]',
      `port = ${port}`,
      `jwt_secret = ${SECRET}`,
      'max_backpressure = 16777216',
      '',
    ].join('\n'),
  );
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'herald.mjs'), 'serve', '--rules', dir, '--config', cfg], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, HERALD_LOG_LEVEL: 'info' } });
  const log: string[] = [];
  let partial = '';
  child.stderr!.on('data', (d: Buffer) => {
    const lines = (partial + d.toString()).split('\n');
    partial = lines.pop()!;
    log.push(...lines);
    if (log.length > 2000) log.splice(0, log.length - 2000);
  });
  await waitHttp(port, '/readyz', 120, () => log.slice(-10).join('\n'));
  return {
    port,
    child,
    log,
    stop: async () => {
      if (child.exitCode !== null) return void rmSync(dir, { recursive: true, force: true });
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([exited, sleep(20_000)]);
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The brokers Herald said it consumed from, in order (its 'consuming' log lines). */
export function consumingFrom(h: Herald): string[] {
  return h.log.flatMap((l) => {
    try {
      const j = JSON.parse(l) as { msg?: string; broker?: string };
      return j.msg === 'consuming' && j.broker ? [j.broker] : [];
    } catch {
      return [];
    }
  });
}

export interface Publisher {
  /** Resolves with the exit code once every notification was handed to the broker. */
  done: Promise<number>;
  stderr: () => string;
  kill(): void;
}

/**
 * The real oslo Notifier (messagingv2, kombu), a steady `rate`/s, `--retry -1` as services run
 * it (block and retry until the broker takes the message), each payload stamped with _seq/_sent_at.
 */
export function startPublisher(opts: { url: string; exchange: string; topic: string; count: number; rate: number }): Publisher {
  const args = [join(SHARED, 'tools', 'oslo_publish.py'), '--url', opts.url, '--durable', '--quorum', '--exchange', opts.exchange, '--topic', opts.topic, '--event-type', 'test.push', '--payload', JSON.stringify({ target: TARGET }), '--stamp', '--count', String(opts.count), '--rate', String(opts.rate), '--retry', '-1', '--quiet'];
  const child = spawn('/usr/bin/python3', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-20000)));
  const done = new Promise<number>((resolve) => child.once('exit', (code) => resolve(code ?? -1)));
  return { done, stderr: () => err, kill: () => void child.kill('SIGKILL') };
}

/** A WebSocket client that remembers when each push arrived. */
export interface TimedClient {
  client: Client;
  /** [seq, sent (epoch ms), received (epoch ms)] per push, in arrival order. */
  pushes: Array<[number, number, number]>;
}

export async function watcher(port: number): Promise<TimedClient> {
  const client = connect(port, { token: await token(TARGET) });
  const pushes: Array<[number, number, number]> = [];
  client.ws.on('message', (m) => {
    const f = JSON.parse(m.toString()) as { type: string; data?: { message?: { n: number; sent: number } } };
    if (f.type === 'push' && f.data?.message) pushes.push([f.data.message.n, f.data.message.sent * 1000, Date.now()]);
  });
  const r = await ready(client);
  if (r.type !== 'ready') throw new Error(`client refused: ${JSON.stringify(r)}`);
  return { client, pushes };
}

/** Samples /readyz every 100 ms: the spans during which Herald said it was not ready. */
export function readinessWatch(port: number): { stop(): Array<[number, number]>; notReadyNow(): boolean } {
  const spans: Array<[number, number]> = [];
  let since: number | null = null;
  let running = true;
  const loop = async () => {
    while (running) {
      const ok = await fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.status === 200, () => false);
      const now = Date.now();
      if (!ok && since === null) since = now;
      if (ok && since !== null) {
        spans.push([since, now]);
        since = null;
      }
      await sleep(100);
    }
  };
  void loop();
  return {
    notReadyNow: () => since !== null,
    stop: () => {
      running = false;
      if (since !== null) spans.push([since, Date.now()]);
      return spans;
    },
  };
}
