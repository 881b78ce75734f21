// The README's first run, exactly as written: `npm start` (its own port through the environment),
// a development token the way the live page takes one, a WebSocket as u1, the seed sample POSTed
// as the README's curl does, the push seen; and `npm run compile -- --check`. A broken main
// command fails here.
import { describe, expect, it } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import WebSocket from 'ws';
import { ROOT, SAMPLES } from '../helpers.js';
import { freePort, waitHttp } from '../gateway/harness.js';

const SAMPLE = join(SAMPLES, 'seed', 'volume.create.end.json');

function npmStart(port: number): { child: ChildProcess; stderr: () => string } {
  // detached: npm and the node under it form one group, stopped together.
  const child = spawn('npm', ['start'], { cwd: ROOT, env: { ...process.env, HERALD_WEBSOCKET__PORT: String(port) }, detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  return { child, stderr: () => err };
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    process.kill(-child.pid!, 'SIGTERM');
  });
}

function frames(ws: WebSocket): Array<Record<string, unknown>> {
  const got: Array<Record<string, unknown>> = [];
  ws.on('message', (m) => got.push(JSON.parse(m.toString()) as Record<string, unknown>));
  return got;
}

async function until(what: string, ok: () => boolean, seconds = 30): Promise<void> {
  const end = Date.now() + seconds * 1000;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`never: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('the README first run', () => {
  it('npm start serves: a development token for u1, a WebSocket, the curl of the seed sample pushes to it; a second POST is a duplicate', async () => {
    const port = await freePort();
    const { child, stderr } = npmStart(port);
    try {
      await waitHttp(port, '/healthz', 120, stderr);
      const base = `http://127.0.0.1:${port}`;
      const { token } = (await (await fetch(`${base}/v1/dev-token`, { method: 'POST', body: JSON.stringify({ sub: 'u1' }) })).json()) as { token: string };
      const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`, 'herald.v1');
      const got = frames(ws);
      await new Promise((r) => ws.once('open', r));
      expect(ws.protocol).toBe('herald.v1');
      ws.send(JSON.stringify({ type: 'auth', token }));
      await until('ready', () => got.some((f) => f.type === 'ready'));
      // curl -s -X POST --data-binary @../shared/samples/seed/volume.create.end.json http://127.0.0.1:8080/v1/notifications
      const answer = await (await fetch(`${base}/v1/notifications`, { method: 'POST', body: readFileSync(SAMPLE) })).json();
      expect(answer).toEqual({ results: [{ message_id: '5f1c7a52-6b1e-4d8e-9a61-0c2b1a9f3e77', pushes: 1 }] });
      await until('push', () => got.some((f) => f.type === 'push'));
      const push = got.find((f) => f.type === 'push') as { seq: number; data: { message_event: string; message_type: string; message: { resource_id: string } } };
      expect(push.seq).toBe(1);
      expect(push.data.message_event).toBe('STATES');
      expect(push.data.message_type).toBe('volume');
      expect(push.data.message.resource_id).toBe('v9');
      // The same message again: recognised by its _unique_id, nothing pushed.
      const again = await (await fetch(`${base}/v1/notifications`, { method: 'POST', body: readFileSync(SAMPLE) })).json();
      expect(again).toEqual({ results: [{ duplicate: true }] });
      ws.send('{"type":"ping"}');
      await until('pong', () => got.some((f) => f.type === 'pong'));
      expect(got.filter((f) => f.type === 'push')).toHaveLength(1);
      ws.close();
    } finally {
      await stop(child);
    }
  }, 240_000);

  it('npm run compile -- --check passes on the committed generated/', () => {
    const r = spawnSync('npm', ['run', 'compile', '--', '--check'], { cwd: ROOT, encoding: 'utf8', timeout: 300_000 });
    expect(r.stderr).not.toMatch(/not found/);
    expect(r.status).toBe(0);
  }, 320_000);

  it('npm run decode decodes the seed sample', () => {
    const r = spawnSync('npm', ['run', '--silent', 'decode'], { cwd: ROOT, encoding: 'utf8', input: readFileSync(SAMPLE, 'utf8').replace(/\n/g, ' ') + '\n', timeout: 120_000 });
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout.trim())).toMatchObject({ event_type: 'volume.create.end', message_id: '5f1c7a52-6b1e-4d8e-9a61-0c2b1a9f3e77' });
  }, 140_000);
});
