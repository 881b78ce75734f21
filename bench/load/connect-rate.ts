// Load process: opens one WebSocket per token (auth frame), `parallel` at a time, and reports how
// long it took until every one was `ready` (or refused). Bounded: one pass over the tokens, and
// each connection gives up after `timeoutMs`.
import WebSocket from 'ws';
import { readPlan } from './plan.js';

export interface ConnectRatePlan {
  port: number;
  tokens: string[];
  parallel: number;
  timeoutMs: number;
}

export interface ConnectRateReport {
  ready: number;
  refused: number;
  seconds: number;
}

const plan = readPlan<ConnectRatePlan>();
const sockets: WebSocket[] = [];

function open(token: string): Promise<boolean> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${plan.port}/ws`, 'herald.v1', { perMessageDeflate: false });
    sockets.push(ws);
    const timer = setTimeout(() => resolve(false), plan.timeoutMs);
    ws.on('open', () => ws.send(JSON.stringify({ type: 'auth', token })));
    ws.once('message', (m: Buffer) => {
      clearTimeout(timer);
      resolve((JSON.parse(m.toString()) as { type: string }).type === 'ready');
    });
    ws.on('error', () => resolve(false));
    ws.on('close', () => resolve(false));
  });
}

async function main(): Promise<void> {
  const started = performance.now();
  let next = 0;
  let ready = 0;
  const worker = async () => {
    while (next < plan.tokens.length) if (await open(plan.tokens[next++]!)) ready++;
  };
  await Promise.all(Array.from({ length: plan.parallel }, worker));
  const seconds = (performance.now() - started) / 1000;
  const report: ConnectRateReport = { ready, refused: plan.tokens.length - ready, seconds };
  process.stdout.write(JSON.stringify(report) + '\n');
  for (const ws of sockets) ws.terminate();
}

void main();
