// One fault run under a steady publish: Herald's queue declared through a chosen node (so that
// node leads it), Herald and the oslo Notifier given all three nodes in a chosen order (each
// connects to the first), two WebSocket connections, the fault injected once a quarter of the
// stream was pushed, then the oracle (oracle.ts) over everything the cluster accepted.
import amqplib from 'amqplib';
import type { Cluster } from './cluster.js';
import { drainWitness, duplicatesOf, firstPushAfter, missingOf, printFigures, type OracleFigures } from './oracle.js';
import { consumingFrom, readinessWatch, startHerald, startPublisher, watcher, type Herald, type TimedClient } from './traffic.js';
import { sleep } from '../gateway/harness.js';

/** CI size by default; HERALD_CLUSTER_FULL=1 (npm run test:full) runs the long streams. */
export function streamSize(): { count: number; rate: number } {
  return process.env.HERALD_CLUSTER_FULL === '1' ? { count: 12000, rate: 200 } : { count: 400, rate: 40 };
}

export interface FaultContext {
  cluster: Cluster;
  herald: Herald;
  queue: string;
  /** Records the instant of the fault (recovery is measured from here). */
  markFault(): void;
  faultAt(): number;
  /** Repairs that may run on while the stream finishes (restarting a killed node); awaited at the end. */
  repair(done: Promise<void>): void;
  /** Figures particular to this fault, printed with the oracle's. */
  extra: Record<string, number | string>;
  readiness: ReturnType<typeof readinessWatch>;
  clients: TimedClient[];
}

export interface FaultPlan {
  fault: string;
  /** Herald's queue is declared through this node, so it leads the quorum queue. */
  leaderOn: number;
  heraldOrder: number[];
  publisherOrder: number[];
  /** The node broken first: asked whether the cluster is whole again at the end. */
  faulted: number;
  /** Breaks the cluster (calling markFault), and repairs it before returning. */
  inject(ctx: FaultContext): Promise<void>;
}

export interface FaultRun extends OracleFigures {
  /** Herald's broker connection (node index) before the fault. */
  heraldNodeBefore: number[];
  heraldNodeAfter: number[];
  leaderBefore: number;
  notReadySpans: Array<[number, number]>;
  consumingLog: string[];
  faultAt: number;
}

let runs = 0;

async function declareQueue(cluster: Cluster, node: number, queue: string): Promise<void> {
  const conn = await amqplib.connect(cluster.amqpUrl(node));
  const ch = await conn.createChannel();
  // Exactly Herald's declaration (consumer.ts), so its own declare agrees.
  await ch.assertQueue(queue, { durable: true, autoDelete: false, arguments: { 'x-queue-type': 'quorum' } });
  await ch.close();
  await conn.close();
}

async function waitUntil(what: string, pred: () => boolean | Promise<boolean>, seconds: number): Promise<void> {
  const until = Date.now() + seconds * 1000;
  while (!(await pred())) {
    if (Date.now() > until) throw new Error(`timed out after ${seconds}s waiting for ${what}`);
    await sleep(100);
  }
}

/** Herald's own account: deliveries received, redeliveries dropped as duplicates, connections made. */
async function heraldCounters(port: number): Promise<Record<string, number>> {
  let text = '';
  // A kept-alive socket the server has just closed fails the first fetch now and then: retry.
  for (let i = 0; i < 5 && !text; i++) text = await fetch(`http://127.0.0.1:${port}/metrics`).then((r) => r.text(), () => sleep(200).then(() => ''));
  const value = (re: RegExp) => Number(re.exec(text)?.[1] ?? NaN);
  return {
    received: value(/^herald_notifications_received_total\{source="rabbitmq"\} (\d+)/m),
    redelivered_dropped: value(/^herald_notifications_duplicate_total (\d+)/m),
    amqp_connections: value(/^herald_source_connects_total\{source="rabbitmq"\} (\d+)/m),
  };
}

/** Herald's warnings and (re)connections around the fault, in seconds from it: what it did. */
function timeline(herald: Herald, faultAt: number): string {
  const lines = herald.log.flatMap((l) => {
    try {
      const j = JSON.parse(l) as { level: number; time: number; msg: string; broker?: string; err?: string };
      if (j.level < 40 && j.msg !== 'consuming') return [];
      return [`  ${((j.time - faultAt) / 1000).toFixed(2)}s ${j.msg}${j.broker ? ` ${j.broker}` : ''}${j.err ? `: ${j.err.slice(0, 160)}` : ''}`];
    } catch {
      return [];
    }
  });
  return lines.length > 24 ? [...lines.slice(0, 12), '  ...', ...lines.slice(-12)].join('\n') + '\n' : lines.join('\n') + '\n';
}

export async function runFault(cluster: Cluster, plan: FaultPlan): Promise<FaultRun> {
  const id = `${plan.fault}-${++runs}`;
  const exchange = `clx-${id}`;
  const topic = `cl-${id}`;
  const queue = `herald-${id}`;
  const { count, rate } = streamSize();
  await declareQueue(cluster, plan.leaderOn, queue);
  const herald = await startHerald({ transportUrl: cluster.transportUrl(plan.heraldOrder, '?heartbeat=4'), exchange, topic, queue });
  const clients: TimedClient[] = [];
  const readiness = readinessWatch(herald.port);
  let faultAt = NaN;
  const extra: Record<string, number | string> = {};
  const repairs: Array<Promise<void>> = [];
  try {
    clients.push(await watcher(herald.port), await watcher(herald.port));
    const heraldNodeBefore = cluster.connectedNodes(/amqplib/, plan.leaderOn);
    const leaderBefore = cluster.leader(queue, plan.leaderOn);
    const publisher = startPublisher({ url: cluster.transportUrl(plan.publisherOrder), exchange, topic, count, rate });
    await waitUntil('a quarter of the stream pushed', () => clients[0]!.pushes.length >= count / 4, 120);
    await plan.inject({ cluster, herald, queue, markFault: () => (faultAt = Date.now()), faultAt: () => faultAt, repair: (p) => void repairs.push(p), extra, readiness, clients });
    const code = await Promise.race([publisher.done, sleep(300_000).then(() => -2)]);
    if (code !== 0) throw new Error(`oslo publisher ended with ${code}: ${publisher.stderr().slice(-2000)}`);
    const heraldNodeAfter = cluster.connectedNodes(/amqplib/, plan.publisherOrder[0]!);
    const accepted = await drainWitness(cluster.amqpUrl(plan.publisherOrder[0]!), `${topic}.info`);
    const seqs = () => clients.map((c) => c.pushes.map((p) => p[0]));
    await waitUntil('every accepted notification pushed', () => missingOf(accepted, seqs()) === 0, 120).catch(() => undefined);
    let counts = cluster.queueCounts(queue, 1);
    await waitUntil('an empty queue', () => ((counts = cluster.queueCounts(queue, 1)), counts.ready === 0 && counts.unacked === 0), 30).catch(() => undefined);
    Object.assign(extra, await heraldCounters(herald.port));
    const figures: OracleFigures = {
      fault: plan.fault,
      published: count,
      accepted: accepted.size,
      pushed: seqs().map((s) => new Set(s).size),
      duplicates: seqs().map(duplicatesOf),
      missing: missingOf(accepted, seqs()),
      queueReady: counts.ready,
      queueUnacked: counts.unacked,
      recoverySeconds: Math.max(...clients.map((c) => firstPushAfter(c.pushes, faultAt))),
      extra,
    };
    printFigures(figures);
    process.stderr.write(timeline(herald, faultAt));
    await Promise.all(repairs);
    await cluster.waitRunning([1, 2, 3], plan.faulted);
    return { ...figures, heraldNodeBefore, heraldNodeAfter, leaderBefore, notReadySpans: readiness.stop(), consumingLog: consumingFrom(herald), faultAt };
  } catch (e) {
    process.stderr.write(`${plan.fault} failed; Herald's last log lines:\n${herald.log.slice(-30).join('\n')}\n`);
    throw e;
  } finally {
    readiness.stop();
    for (const c of clients) c.client.ws.close();
    await herald.stop();
  }
}
