// Issue 7 faults: SIGKILL of the gateway mid-stream. Everything it had not acked is redelivered
// to the next gateway and pushed: every notification reaches the client from one gateway or the
// other. (Broker stop/start is acceptance 6 of issue 5 in gateway.suite.ts; its recovery time
// and slow clients are measured by `npm run bench -- fault`.)
import { describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import amqplib from 'amqplib';
import { ROOT } from '../helpers.js';
import { connect, freePort, osloEnvelope, ready, sleep, token, waitHttp, PUSH_RULES_INI, PUSH_RULES_YAML, SECRET, type Client, type Rabbit } from './harness.js';

let rabbit: Rabbit;
export function useRabbit(r: Rabbit): void {
  rabbit = r;
}


describe('faults', () => {
  it('SIGKILL of the gateway mid-stream: every unacked notification is redelivered and pushed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'herald-fault-'));
    writeFileSync(join(dir, 'event_definitions.yaml'), PUSH_RULES_YAML);
    writeFileSync(join(dir, 'settings.ini'), PUSH_RULES_INI);
    rabbit.ctl(['add_vhost', 'faults']);
    rabbit.ctl(['add_user', 'faults-filler', 'x']);
    rabbit.ctl(['set_permissions', '-p', 'faults', 'faults-filler', '.*', '.*', '.*']);
    rabbit.ctl(['set_permissions', '-p', 'faults', 'guest', '.*', '.*', '.*']);
    const port = await freePort();
    const cfg = join(dir, 'gw.ini');
    writeFileSync(cfg, `[MESSAGE_COLLECTOR]\ntransport_url = rabbit://guest:guest@127.0.0.1:${rabbit.port}/faults\nexchanges = ['fault-x']\nqueue = herald\nprefetch = 100\nreconnect_max_seconds = 1\n[WEBSOCKET]\nport = ${port}\njwt_secret = ${SECRET}\n`);
    const start = (): ChildProcess => spawn(process.execPath, [join(ROOT, 'bin', 'herald.mjs'), 'serve', '--rules', dir, '--config', cfg], { stdio: 'ignore', env: { ...process.env, HERALD_LOG_LEVEL: 'warn' } });
    let gw = start();
    const conn = await amqplib.connect(`amqp://faults-filler:x@127.0.0.1:${rabbit.port}/faults`);
    const ch = await conn.createConfirmChannel();
    try {
      await waitHttp(port, '/readyz');
      const t = await token('victim');
      const first = connect(port, { token: t });
      await ready(first);
      const total = 20000;
      for (let n = 1; n <= total; n++) ch.publish('fault-x', 'notifications.info', osloEnvelope({ event_type: 'test.push', payload: { target: 'victim', n } }));
      await ch.waitForConfirms();
      await first.waitFor((f) => f.length > 500);
      gw.kill('SIGKILL');
      // The next gateway must not consume before the client is back: take the permission away
      // while it starts, give it back once the client is connected.
      rabbit.ctl(['clear_permissions', '-p', 'faults', 'guest']);
      await first.closed;
      const before = new Set(first.pushes().map((p) => (p.data!.message as { n: number }).n));
      gw = start();
      await waitHttp(port, '/healthz'); // serving, but not consuming: no permission yet
      let second: Client | null = null;
      for (let i = 0; i < 100 && !second; i++) {
        const c = connect(port, { token: t });
        const ok = await c.opened.then(() => true, () => false);
        if (ok) second = c;
        else await sleep(100);
      }
      await ready(second!);
      rabbit.ctl(['set_permissions', '-p', 'faults', 'guest', '.*', '.*', '.*']);
      const after = () => new Set(second!.pushes().map((p) => (p.data!.message as { n: number }).n));
      await second!.waitFor(() => {
        const a = after();
        for (let n = 1; n <= total; n++) if (!before.has(n) && !a.has(n)) return false;
        return true;
      }, 90000);
      expect(before.size).toBeLessThan(total);
      expect(after().size).toBeGreaterThan(0);
      second!.ws.close();
    } finally {
      gw.kill('SIGKILL');
      await ch.close().catch(() => undefined);
      await conn.close().catch(() => undefined);
    }
  }, 240_000);
});
