// Load process: opens authenticated WebSocket connections and counts what arrives. Driven over
// IPC by the bench orchestrator: argv[2] is a JSON ClientsPlan; messages 'report' and 'exit'.
import WebSocket from 'ws';
import { signHs256 } from '../../runtime/auth/jwt/sign.js';
import { readPlan } from './plan.js';

export interface ClientsPlan {
  port: number;
  secret: string;
  users: number;
  /** Every user also carries this project (fan-out). */
  project?: string;
  /** Record publish-to-frame latency from data.message.sent (ms since the epoch). */
  latency?: boolean;
  /** The first `slow` users stop reading their socket once ready (slow consumers). */
  slow?: number;
  /** `socketio`: the peer's wire (Engine.IO 4 over a raw WebSocket, token in the CONNECT packet). */
  protocol?: 'herald' | 'socketio';
}

export interface ClientsReport {
  frames: number;
  firstAt: number;
  lastAt: number;
  latencies: number[];
  closed: number;
  slowClosed: number;
  /** Closes seen after the connection was ready, by WebSocket close code. */
  closeCodes: Record<string, number>;
  /** Connections closed before they were ready (retried, at most twice each), by close code. */
  setupCloses: Record<string, number>;
  /** `reset` frames received (a gap the client was told about). */
  resets: number;
  /** Per connection (user index): push frames received and the seqs among them. */
  perConnection: Array<{ frames: number; seqs: number[] }>;
}

const plan = readPlan<ClientsPlan>();
const PUSH = Buffer.from('{"type":"push","seq":');
const RESET = Buffer.from('{"type":"reset"');

function startsWith(m: Buffer, prefix: Buffer): boolean {
  return m.length >= prefix.length && m.compare(prefix, 0, prefix.length, 0, prefix.length) === 0;
}

/** The decimal number at `from` (-1 when there is none). */
function digitsAt(m: Buffer, from: number): number {
  let n = 0;
  let i = from;
  for (; i < m.length && m[i]! >= 0x30 && m[i]! <= 0x39; i++) n = n * 10 + m[i]! - 0x30;
  return i === from ? -1 : n;
}
const report: ClientsReport = { frames: 0, firstAt: 0, lastAt: 0, latencies: [], closed: 0, slowClosed: 0, closeCodes: {}, setupCloses: {}, resets: 0, perConnection: [] };
const sockets: WebSocket[] = [];

async function open(i: number): Promise<void> {
  if (plan.protocol === 'socketio') return openSocketIo(i);
  const token = await signHs256(plan.secret, { sub: `user-${i}`, projects: plan.project ? [plan.project] : [], exp: Math.floor(Date.now() / 1000) + 7200 });
  await new Promise<void>((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${plan.port}/ws`, 'herald.v1', { headers: { authorization: `Bearer ${token}` }, perMessageDeflate: false, skipUTF8Validation: true });
    sockets.push(ws);
    let isReady = false;
    ws.on('message', (m: Buffer) => {
      if (!isReady) {
        isReady = true;
        // A slow consumer: the kernel buffers fill, then the gateway's backpressure builds up.
        if (i < (plan.slow ?? 0)) (ws as unknown as { _socket: { pause(): void } })._socket.pause();
        resolve();
        return;
      }
      // Read from the bytes, as the Socket.IO clients below do: the load generator stays cheap per frame.
      if (startsWith(m, RESET)) report.resets++;
      if (!startsWith(m, PUSH)) return;
      const mine = (report.perConnection[i] ??= { frames: 0, seqs: [] });
      mine.frames++;
      mine.seqs.push(digitsAt(m, PUSH.length));
      const now = Date.now();
      if (!report.frames) report.firstAt = now;
      report.lastAt = now;
      report.frames++;
      if (plan.latency) {
        const at = /"sent":(\d+)/.exec(m.toString('latin1'));
        if (at) report.latencies.push(now - Number(at[1]));
      }
    });
    ws.on('close', (code: number) => {
      if (!isReady) return reject(new ClosedBeforeReady(code));
      report.closed++;
      report.closeCodes[code] = (report.closeCodes[code] ?? 0) + 1;
      if (code === 4009) report.slowClosed++;
    });
    ws.on('error', reject);
  });
}

/** One Socket.IO client on the raw protocol: the same ws library and counting as Herald's clients. */
async function openSocketIo(i: number): Promise<void> {
  const token = await signHs256(plan.secret, { sub: `user-${i}`, projects: plan.project ? [plan.project] : [], exp: Math.floor(Date.now() / 1000) + 7200 });
  await new Promise<void>((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${plan.port}/socket.io/?EIO=4&transport=websocket`, { perMessageDeflate: false, skipUTF8Validation: true });
    sockets.push(ws);
    let isReady = false;
    ws.on('message', (m: Buffer) => {
      const type = m[0];
      if (type === 0x30) ws.send(`40${JSON.stringify({ token })}`); // Engine.IO OPEN -> Socket.IO CONNECT
      else if (type === 0x32) ws.send('3'); // ping -> pong
      else if (type === 0x34 && m[1] === 0x30) {
        isReady = true; // CONNECT acknowledged
        resolve();
      }
      else if (type === 0x34 && m[1] === 0x34) reject(new Error(`refused: ${m.toString('utf8')}`));
      else if (type === 0x34 && m[1] === 0x32) {
        const now = Date.now();
        if (!report.frames) report.firstAt = now;
        report.lastAt = now;
        report.frames++;
      }
    });
    ws.on('close', (code: number) => {
      if (!isReady) return reject(new ClosedBeforeReady(code));
      report.closed++;
      report.closeCodes[code] = (report.closeCodes[code] ?? 0) + 1;
    });
    ws.on('error', reject);
  });
}

class ClosedBeforeReady extends Error {
  constructor(readonly code: number) {
    super(`closed with ${code} before ready`);
  }
}

/** A connection the server closed while it was being set up (a busy machine) is tried again, twice at most. */
async function openRetrying(i: number): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await open(i);
    } catch (e) {
      if (!(e instanceof ClosedBeforeReady) || attempt === 2) throw e;
      report.setupCloses[e.code] = (report.setupCloses[e.code] ?? 0) + 1;
    }
  }
}

async function main(): Promise<void> {
  const batch = 200;
  for (let i = 0; i < plan.users; i += batch) await Promise.all(Array.from({ length: Math.min(batch, plan.users - i) }, (_, j) => openRetrying(i + j)));
  process.send!({ type: 'ready' });
  process.on('message', (m: { cmd: string }) => {
    if (m.cmd === 'report') process.send!({ type: 'report', report });
    if (m.cmd === 'reset') Object.assign(report, { frames: 0, firstAt: 0, lastAt: 0, latencies: [], perConnection: [] });
    if (m.cmd === 'exit') {
      for (const ws of sockets) ws.terminate();
      process.exit(0);
    }
  });
}

main().catch((e: unknown) => {
  process.send!({ type: 'error', message: String(e) });
  process.exit(1);
});
