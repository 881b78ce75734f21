// Issue 6 acceptance: the single executable runs alone; several nodes share the work through
// RabbitMQ only (decode once, pushes routed to the nodes holding the users), survive a SIGKILL
// of a node, and leave no binding behind for users who left.
import { describe, expect, it } from 'vitest';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, SAMPLES } from '../helpers.js';
import { compileRuleTexts, connect, freePort, gatewayWith, osloEnvelope, rawPublisher, ready, sleep, token, waitHttp, PUSH_RULES_INI, PUSH_RULES_YAML, SECRET, type Client, type Rabbit } from './harness.js';
import { userKey } from '../../runtime/bus/rabbitmq/routing.js';

const compiled = compileRuleTexts(PUSH_RULES_YAML, PUSH_RULES_INI);
const push = (target: string, n: number) => osloEnvelope({ event_type: 'test.push', payload: { target, n } });
const nOf = (c: Client) => c.pushes().map((p) => (p.data!.message as { n: number }).n);

let rabbit: Rabbit;

/** broker.test.ts starts one RabbitMQ for every suite that needs it. */
export function useRabbit(r: Rabbit): void {
  rabbit = r;
}

function nodeSettings(queue: string, port = 0): string {
  return `[MESSAGE_COLLECTOR]
transport_url = ${rabbit.url}
exchanges = ['scale-test']
queue = ${queue}
scale_out = True
prefetch = 64
[WEBSOCKET]
port = ${port}
jwt_secret = ${SECRET}
`;
}

async function metric(port: number, name: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const m = new RegExp(`^${name} (\\d+)`, 'm').exec(text);
  return m ? Number(m[1]) : 0;
}

const waitReady = (port: number): Promise<void> => waitHttp(port, '/readyz');

function pushBindings(): string[] {
  return rabbit
    .ctl(['list_bindings', 'source_name', 'routing_key'])
    .split('\n')
    .filter((l) => l.startsWith('herald.push\t'))
    .map((l) => l.split('\t')[1]!);
}

describe('single executable', () => {
  it('1: dist/herald, alone in an empty directory, serves /healthz and pushes a frame', async () => {
    execFileSync('npm', ['run', 'bundle'], { cwd: ROOT, stdio: 'pipe' });
    const dir = mkdtempSync(join(tmpdir(), 'herald-exe-'));
    copyFileSync(join(ROOT, 'dist', 'herald'), join(dir, 'herald'));
    execFileSync('chmod', ['+x', join(dir, 'herald')]);
    const port = await freePort();
    writeFileSync(join(dir, 'herald.ini'), `[WEBSOCKET]\nport = ${port}\njwt_secret = ${SECRET}\n`);
    expect(readdirSync(dir).sort()).toEqual(['herald', 'herald.ini']);
    const native = mkdtempSync(join(tmpdir(), 'herald-native-'));
    const child = spawn(join(dir, 'herald'), ['serve', '--config', 'herald.ini'], { cwd: dir, env: { PATH: '/usr/bin:/bin', HERALD_NATIVE_DIR: native, HERALD_LOG_LEVEL: 'warn' }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    try {
      // A time bound on start-up belongs to bench/, not here (CI must not flake on a busy machine).
      await waitHttp(port, '/healthz', 120, () => stderr);
      const c = connect(port, { token: await token('u1') });
      expect((await ready(c)).type).toBe('ready');
      const r = await fetch(`http://127.0.0.1:${port}/v1/notifications`, { method: 'POST', body: readFileSync(join(SAMPLES, 'seed', 'volume.create.end.json')) });
      expect(r.status).toBe(200);
      await c.waitFor((f) => f.some((x) => x.type === 'push'));
      expect(c.pushes()[0]).toMatchObject({ type: 'push', seq: 1, data: { message_type: 'volume', message: { resource_id: 'v9', name: 'data' } } });
      expect(readdirSync(native).some((f) => f.endsWith('.node'))).toBe(true);
      c.ws.close();
    } finally {
      child.kill('SIGTERM');
    }
  }, 180_000);
});

describe('several nodes on RabbitMQ', () => {
  it('2: two nodes, 5,000 notifications: each user gets exactly their pushes once, each notification decoded by one node', async () => {
    const a = await gatewayWith(nodeSettings('herald-scale'), compiled);
    const b = await gatewayWith(nodeSettings('herald-scale'), compiled);
    const pub = await rawPublisher(rabbit.port);
    try {
      await waitReady(a.port);
      await waitReady(b.port);
      const users = Array.from({ length: 40 }, (_, i) => `scale.user*${i}#`);
      const clients = new Map<string, Client>();
      for (let i = 0; i < users.length; i++) clients.set(users[i]!, connect(i % 2 ? b.port : a.port, { token: await token(users[i]!) }));
      for (const c of clients.values()) expect((await ready(c)).type).toBe('ready');
      const expected = new Map(users.map((u) => [u, [] as number[]]));
      for (let n = 1; n <= 5000; n++) {
        const u = users[(n * 7) % users.length]!;
        expected.get(u)!.push(n);
        pub.send('scale-test', 'notifications.info', push(u, n));
      }
      await pub.confirm();
      for (const [u, c] of clients) await c.waitFor((f) => f.filter((x) => x.type === 'push').length >= expected.get(u)!.length, 60000);
      await sleep(500);
      for (const [u, c] of clients) {
        // Two nodes decode side by side, so the order across notifications is not kept (README).
        expect(nOf(c).sort((x, y) => x - y)).toEqual(expected.get(u));
        expect(c.pushes().map((p) => p.seq)).toEqual(expected.get(u)!.map((_, i) => i + 1));
      }
      const decodedA = await metric(a.port, 'herald_notifications_decoded_total');
      const decodedB = await metric(b.port, 'herald_notifications_decoded_total');
      expect(decodedA + decodedB).toBe(5000);
      expect(decodedA).toBeGreaterThan(0);
      expect(decodedB).toBeGreaterThan(0);
      // 4: bindings follow connections: each connected user has one, then none once they leave.
      const keys = pushBindings();
      for (const u of users) expect(keys).toContain(userKey(u));
      for (const c of clients.values()) c.ws.close();
      await Promise.all([...clients.values()].map((c) => c.closed));
      let left: string[] = [];
      for (let i = 0; i < 50; i++) {
        left = pushBindings().filter((k) => users.some((u) => k === userKey(u)));
        if (!left.length) break;
        await sleep(100);
      }
      expect(left).toEqual([]);
    } finally {
      await pub.close();
      await a.stop();
      await b.stop();
    }
  }, 180_000);

  it('3: SIGKILL of a node mid-stream: its clients move to the other node and get reset; nothing is lost from the broker', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'herald-kill-'));
    writeFileSync(join(dir, 'event_definitions.yaml'), PUSH_RULES_YAML);
    const ports = [await freePort(), await freePort()];
    const nodes: ChildProcess[] = ports.map((port, i) => {
      writeFileSync(join(dir, `node${i}.ini`), nodeSettings('herald-kill', port).replace('prefetch = 64', 'prefetch = 200'));
      writeFileSync(join(dir, 'settings.ini'), PUSH_RULES_INI);
      return spawn(process.execPath, [join(ROOT, 'bin', 'herald.mjs'), 'serve', '--rules', dir, '--config', join(dir, `node${i}.ini`)], { stdio: 'ignore', env: { ...process.env, HERALD_LOG_LEVEL: 'warn' } });
    });
    const pub = await rawPublisher(rabbit.port);
    try {
      for (const p of ports) await waitReady(p);
      const users = ['mover', 'stayer'];
      const t = { mover: await token('mover'), stayer: await token('stayer') };
      const mover = connect(ports[0]!, { token: t.mover });
      const stayer = connect(ports[1]!, { token: t.stayer });
      const hello = await ready(mover);
      await ready(stayer);
      const total = 20000;
      for (let n = 1; n <= total; n++) pub.send('scale-test', 'notifications.info', push(users[n % 2]!, n));
      await pub.confirm();
      await mover.waitFor((f) => f.length > 100);
      nodes[0]!.kill('SIGKILL');
      await mover.closed;
      const lastSeq = mover.pushes().at(-1)!.seq!;
      const moved = connect(ports[1]!, { token: t.mover, resume: { epoch: hello.epoch!, seq: lastSeq } });
      await moved.waitFor((f) => f.some((x) => x.type === 'ready'));
      // Another node's epoch: never a silent gap, the client is told to reload.
      expect(moved.frames[0]!.type).toBe('reset');
      // Everything left in the queue (including what the killed node had not acked) is decoded
      // by the survivor: the stayer ends up with every one of its pushes.
      const want = Array.from({ length: total / 2 }, (_, i) => i * 2 + 1);
      await stayer.waitFor(() => new Set(nOf(stayer)).size >= want.length, 60000);
      expect(new Set(nOf(stayer))).toEqual(new Set(want));
      for (let i = 0; i < 100; i++) {
        const line = rabbit.ctl(['list_queues', 'name', 'messages', 'messages_unacknowledged']).split('\n').find((l) => l.startsWith('herald-kill\t'));
        if (line === 'herald-kill\t0\t0') break;
        await sleep(100);
      }
      expect(rabbit.ctl(['list_queues', 'name', 'messages', 'messages_unacknowledged']).split('\n')).toContain('herald-kill\t0\t0');
      moved.ws.close();
      stayer.ws.close();
    } finally {
      for (const n of nodes) n.kill('SIGKILL');
      await pub.close();
    }
  }, 240_000);
});
