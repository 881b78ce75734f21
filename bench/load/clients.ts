// Load process: opens authenticated WebSocket connections (bench/load/raw-ws.ts) and counts what
// arrives from each frame's bytes. Driven over IPC by the bench orchestrator: argv[2] is a JSON
// ClientsPlan; messages 'report' and 'exit'.
import { signHs256 } from '../../runtime/auth/jwt/sign.js';
import { readPlan } from './plan.js';
import { openRawWebSocket, type RawWebSocket, type RawWsHandlers } from './raw-ws.js';

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
  /** Open only this many users at first; the rest on the 'open-rest' command (answered 'opened'). */
  initially?: number;
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
  /** The first closes after ready (at most 20): which user, the code, how long after its `ready`. */
  lateCloses: Array<{ user: number; code: number; msAfterReady: number }>;
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
const report: ClientsReport = { frames: 0, firstAt: 0, lastAt: 0, latencies: [], closed: 0, slowClosed: 0, closeCodes: {}, setupCloses: {}, lateCloses: [], resets: 0, perConnection: [] };
const sockets: RawWebSocket[] = [];

function tokenFor(i: number): Promise<string> {
  return signHs256(plan.secret, { sub: `user-${i}`, projects: plan.project ? [plan.project] : [], exp: Math.floor(Date.now() / 1000) + 7200 });
}

/**
 * What both protocols share: the connection is ready once (the open resolves); a close before that
 * rejects it (ClosedBeforeReady, retried), a close after it is counted. `closed` says which.
 */
function lifecycle(user: number, resolve: () => void, reject: (e: Error) => void) {
  let readyAt = 0;
  return {
    get isReady(): boolean {
      return readyAt !== 0;
    },
    ready(): void {
      readyAt = Date.now();
      resolve();
    },
    closed(code: number): boolean {
      if (!readyAt) reject(new ClosedBeforeReady(code));
      else closed(user, code, readyAt);
      return readyAt !== 0;
    },
  };
}

async function open(i: number): Promise<void> {
  if (plan.protocol === 'socketio') return openSocketIo(i);
  const token = await tokenFor(i);
  await new Promise<void>((resolve, reject) => {
    const life = lifecycle(i, resolve, reject);
    const handlers: RawWsHandlers = {
      message(m, ws) {
        if (!life.isReady) {
          // A slow consumer: the kernel buffers fill, then the gateway's backpressure builds up.
          if (i < (plan.slow ?? 0)) ws.pause();
          return life.ready();
        }
        if (startsWith(m, RESET)) report.resets++;
        if (!startsWith(m, PUSH)) return;
        const mine = (report.perConnection[i] ??= { frames: 0, seqs: [] });
        mine.frames++;
        mine.seqs.push(digitsAt(m, PUSH.length));
        arrived();
        if (plan.latency) {
          const at = /"sent":(\d+)/.exec(m.toString('latin1'));
          if (at) report.latencies.push(report.lastAt - Number(at[1]));
        }
      },
      close(code) {
        if (life.closed(code) && code === 4009) report.slowClosed++;
      },
    };
    openRawWebSocket({ port: plan.port, path: '/ws', protocol: 'herald.v1', headers: { authorization: `Bearer ${token}` } }, handlers).then((ws) => sockets.push(ws), reject);
  });
}

/** One Socket.IO client on the raw protocol: the same WebSocket client and counting as Herald's clients. */
async function openSocketIo(i: number): Promise<void> {
  const token = await tokenFor(i);
  await new Promise<void>((resolve, reject) => {
    const life = lifecycle(i, resolve, reject);
    const handlers: RawWsHandlers = {
      message(m, ws) {
        const type = m[0];
        if (type === 0x30) ws.send(`40${JSON.stringify({ token })}`); // Engine.IO OPEN -> Socket.IO CONNECT
        else if (type === 0x32) ws.send('3'); // ping -> pong
        else if (type === 0x34 && m[1] === 0x30) life.ready(); // CONNECT acknowledged
        else if (type === 0x34 && m[1] === 0x34) reject(new Error(`refused: ${m.toString('utf8')}`));
        else if (type === 0x34 && m[1] === 0x32) arrived();
      },
      close: (code) => void life.closed(code),
    };
    openRawWebSocket({ port: plan.port, path: '/socket.io/?EIO=4&transport=websocket' }, handlers).then((ws) => sockets.push(ws), reject);
  });
}

function arrived(): void {
  const now = Date.now();
  if (!report.frames) report.firstAt = now;
  report.lastAt = now;
  report.frames++;
}

function closed(user: number, code: number, readyAt: number): void {
  if (report.lateCloses.length < 20) report.lateCloses.push({ user, code, msAfterReady: Date.now() - readyAt });
  report.closed++;
  report.closeCodes[code] = (report.closeCodes[code] ?? 0) + 1;
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

/** Opens users [from, to), 200 at a time. */
async function openUsers(from: number, to: number): Promise<void> {
  const batch = 200;
  for (let i = from; i < to; i += batch) await Promise.all(Array.from({ length: Math.min(batch, to - i) }, (_, j) => openRetrying(i + j)));
}

async function main(): Promise<void> {
  const first = Math.min(plan.initially ?? plan.users, plan.users);
  await openUsers(0, first);
  process.send!({ type: 'ready' });
  process.on('message', (m: { cmd: string }) => {
    if (m.cmd === 'open-rest') {
      openUsers(first, plan.users).then(
        () => process.send!({ type: 'opened' }),
        (e: unknown) => process.send!({ type: 'error', message: String(e) }),
      );
    }
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
