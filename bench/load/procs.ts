// Starting the bench's separate processes: the gateway (herald serve), WebSocket clients (IPC),
// one-shot publishers and drains. Each is bounded: the orchestrator kills what it started.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { REPO_ROOT } from '../../compiler/compile.js';
import { SERVE_NODE_FLAGS } from '../../runtime/core/node-flags.js';
import type { ClientsPlan, ClientsReport } from './clients.js';

const TSX = ['--import', 'tsx'];

/** HERALD_BENCH_PROFILE=DIR: node flags that write a measured server's CPU profile there (evidence for the figures). */
export function profileArgs(): string[] {
  return process.env.HERALD_BENCH_PROFILE ? ['--cpu-prof', '--cpu-prof-dir', process.env.HERALD_BENCH_PROFILE] : [];
}

/** The V8 flags the measured gateway is launched with: `herald serve`'s own, or HERALD_BENCH_NODE_FLAGS (`''`: node's defaults) to compare. */
export function serveNodeFlags(): readonly string[] {
  const asked = process.env.HERALD_BENCH_NODE_FLAGS;
  return asked === undefined ? SERVE_NODE_FLAGS : asked.split(' ').filter(Boolean);
}

/** `herald serve` as it is launched (its V8 flags; the profile flags when asked and `profiled`), ahead of its own arguments. */
export function heraldCommand(profiled = true): string[] {
  return [process.execPath, ...serveNodeFlags(), ...(profiled ? profileArgs() : []), join(REPO_ROOT, 'bin', 'herald.mjs')];
}

export function startGatewayProcess(rulesDir: string, config: string): ChildProcess {
  const [node, ...args] = heraldCommand();
  return spawn(node!, [...args, 'serve', '--rules', rulesDir, '--config', config], { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, HERALD_LOG_LEVEL: 'error' } });
}

export function rssBytes(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
}

/** CPU time (user + system) of a process, in ms, from /proc/<pid>/stat (clock ticks of 10 ms). */
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

export interface Clients {
  child: ChildProcess;
  report(): Promise<ClientsReport>;
  /** Opens the users past `plan.initially`. */
  openRest(): Promise<void>;
  reset(): void;
  stop(): void;
}

export async function startClients(plan: ClientsPlan, seconds = 180): Promise<Clients> {
  const child = spawn(process.execPath, [...TSX, join(REPO_ROOT, 'bench', 'load', 'clients.ts'), JSON.stringify(plan)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const kill = setTimeout(() => child.kill('SIGKILL'), seconds * 1000);
  kill.unref();
  await new Promise<void>((resolve, reject) => {
    child.once('message', (m: { type: string; message?: string }) => (m.type === 'ready' ? resolve() : reject(new Error(m.message))));
    child.once('exit', (code) => reject(new Error(`clients exited with ${code}`)));
  });
  child.on('exit', (code, signal) => process.stderr.write(`bench: clients process exited (${code ?? signal})\n`));
  return {
    child,
    report: () =>
      new Promise((resolve, reject) => {
        if (!child.connected) return reject(new Error('the clients process is gone'));
        child.once('message', (m: { report: ClientsReport }) => resolve(m.report));
        child.send({ cmd: 'report' });
      }),
    openRest: () =>
      new Promise((resolve, reject) => {
        child.once('message', (m: { type: string; message?: string }) => (m.type === 'opened' ? resolve() : reject(new Error(m.message))));
        child.send({ cmd: 'open-rest' });
      }),
    reset: () => child.send({ cmd: 'reset' }),
    stop: () => {
      child.send({ cmd: 'exit' });
      clearTimeout(kill);
    },
  };
}

/** Runs a one-shot load script to completion and returns its JSON line. */
export function runScript<T>(script: string, plan: object, seconds = 300): Promise<T> {
  return new Promise((resolve, reject) => {
    // The plan travels in a file: a large one (thousands of tokens) is over one argument's limit.
    const planFile = join(mkdtempSync(join(tmpdir(), 'herald-plan-')), 'plan.json');
    writeFileSync(planFile, JSON.stringify(plan));
    const child = spawn(process.execPath, [...TSX, join(REPO_ROOT, 'bench', 'load', script), `@${planFile}`], { stdio: ['ignore', 'pipe', 'inherit'] });
    const kill = setTimeout(() => child.kill('SIGKILL'), seconds * 1000);
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    child.once('exit', (code) => {
      clearTimeout(kill);
      rmSync(dirname(planFile), { recursive: true, force: true });
      if (code === 0) resolve(JSON.parse(out.trim().split('\n').pop()!) as T);
      else reject(new Error(`${script} exited with ${code}`));
    });
  });
}

export async function waitFrames(clients: Clients, want: number, seconds: number): Promise<Awaited<ReturnType<Clients['report']>>> {
  const until = Date.now() + seconds * 1000;
  for (;;) {
    const r = await clients.report();
    if (r.frames >= want || Date.now() > until) return r;
    await new Promise((res) => setTimeout(res, 100));
  }
}
