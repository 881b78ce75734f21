// A real gateway as a child process (`node bin/herald.mjs serve`, embedded: HTTP ingest, no
// broker) on a port the test chooses, so it can be SIGKILLed and started again on the same port.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../helpers.js';
import { osloEnvelope, waitHttp } from '../gateway/harness.js';

export interface Served {
  port: number;
  /** Starts (or starts again) the gateway and waits until it answers /readyz. */
  start(): Promise<void>;
  kill(signal: NodeJS.Signals): Promise<void>;
}

/** `extra` goes into [WEBSOCKET] (e.g. `jwt_secret = …`; none: development tokens). */
export function served(port: number, extra = ''): Served {
  const dir = mkdtempSync(join(tmpdir(), 'herald-client-gw-'));
  writeFileSync(join(dir, 'settings.ini'), `[MESSAGE_COLLECTOR]\ntransport_url =\n\n[WEBSOCKET]\nhost = 127.0.0.1\nport = ${port}\n${extra}\n`);
  let child: ChildProcess | null = null;
  let exited: Promise<void> = Promise.resolve();
  return {
    port,
    async start() {
      let stderr = '';
      const c = spawn(process.execPath, [join(ROOT, 'bin', 'herald.mjs'), 'serve', '--config', join(dir, 'settings.ini')], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, HERALD_LOG_LEVEL: 'warn' } });
      child = c;
      c.stderr!.on('data', (d) => (stderr += d));
      exited = new Promise((r) => c.once('exit', () => r()));
      await waitHttp(port, '/readyz', 90, () => stderr);
    },
    async kill(signal) {
      child?.kill(signal);
      await exited;
      child = null;
    },
  };
}

/** A real notification (volume.create.end, as cinder sends it) whose push carries resource_id v<n>. */
export function volumeCreated(user: string, n: number): Buffer {
  return osloEnvelope({
    event_type: 'volume.create.end',
    payload: { tenant_id: 'p-42', user_id: user, volume_id: `v${n}`, display_name: `volume ${n}`, size: 1, status: 'available', created_at: '2026-11-21T10:00:00.000000' },
    context: { user_id: user, project_id: 'p-42' },
  });
}

/** POSTs notifications to the gateway's HTTP ingest; returns how many pushes each made. */
export async function ingest(port: number, body: Buffer): Promise<number[]> {
  const r = await fetch(`http://127.0.0.1:${port}/v1/notifications`, { method: 'POST', body });
  const j = (await r.json()) as { results: { pushes?: number }[] };
  return j.results.map((x) => x.pushes ?? 0);
}
