// Issue 18: Herald against a three-node RabbitMQ cluster with its queue a quorum queue, under a
// steady publish from the real oslo Notifier, through four faults. One cluster for the file; each
// fault repairs what it broke. The oracle's figures are printed (ORACLE lines) for the notes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensurePackages, sleep } from '../gateway/harness.js';
import { Cluster } from './cluster.js';
import { runFault, type FaultContext, type FaultRun } from './scenario.js';

let cluster: Cluster;

beforeAll(async () => {
  ensurePackages();
  cluster = await Cluster.start();
  process.stdout.write(`cluster: ${cluster.nodes.map((n) => `${n.name} amqp ${n.addr}:${n.amqpPort}`).join('; ')}; partition by ${cluster.partitionable ? 'network namespace + veth' : 'SIGSTOP (no network namespaces here)'}\n`);
}, 600_000);

afterAll(async () => {
  await cluster?.destroy();
}, 120_000);

/** Waits (bounded) until some client got a push of a notification sent after the fault. */
async function pushedSinceFault(ctx: FaultContext, since: number, seconds = 120): Promise<void> {
  const until = Date.now() + seconds * 1000;
  while (!ctx.clients.every((c) => c.pushes.some((p) => p[1] >= since))) {
    if (Date.now() > until) throw new Error(`no push of a notification sent after the fault within ${seconds}s`);
    await sleep(50);
  }
}

function expectNothingLost(run: FaultRun): void {
  expect(run.accepted).toBeGreaterThan(0);
  expect(run.missing).toBe(0);
  expect(run.duplicates).toEqual([0, 0]);
  expect(run.queueReady).toBe(0);
  expect(run.queueUnacked).toBe(0);
  expect(Number.isFinite(run.recoverySeconds)).toBe(true);
}

describe('a three-node RabbitMQ cluster with a quorum queue', () => {
  it('SIGKILL of the node Herald consumes from: it fails over to another node and loses nothing', async () => {
    const run = await runFault(cluster, {
      fault: 'connected_node_killed',
      leaderOn: 2,
      heraldOrder: [1, 2, 3],
      publisherOrder: [3, 2, 1],
      inject: async (ctx) => {
        const since = Date.now();
        ctx.markFault();
        await cluster.killNode(1);
        await pushedSinceFault(ctx, since);
        await cluster.startNode(1);
      },
    });
    expect(run.heraldNodeBefore).toEqual([1]);
    expect(run.heraldNodeAfter).toHaveLength(1);
    expect(run.heraldNodeAfter[0]).not.toBe(1);
    expect(run.published).toBe(run.accepted); // the publisher was on a node that stayed up
    expectNothingLost(run);
  }, 600_000);

  it('SIGKILL of the quorum queue leader: a new leader is elected and Herald loses nothing', async () => {
    let leaderAfter = 0;
    const run = await runFault(cluster, {
      fault: 'queue_leader_killed',
      leaderOn: 2,
      heraldOrder: [1, 3, 2],
      publisherOrder: [3, 1, 2],
      inject: async (ctx) => {
        const since = Date.now();
        ctx.markFault();
        await cluster.killNode(2);
        await pushedSinceFault(ctx, since);
        leaderAfter = cluster.leader(ctx.queue, 1);
        ctx.extra.leader_after = `n${leaderAfter}`;
        await cluster.startNode(2);
      },
    });
    expect(run.leaderBefore).toBe(2);
    expect(leaderAfter).not.toBe(2);
    expect(run.heraldNodeBefore).toEqual([1]);
    expect(run.published).toBe(run.accepted);
    expectNothingLost(run);
  }, 600_000);

  it('two of three nodes stopped: no quorum, Herald is not ready and loses nothing, then resumes', async () => {
    let quorumBack = 0;
    const run = await runFault(cluster, {
      fault: 'no_quorum',
      leaderOn: 1,
      heraldOrder: [1, 2, 3],
      publisherOrder: [1, 2, 3],
      inject: async (ctx) => {
        ctx.markFault();
        await Promise.all([cluster.stopNode(2), cluster.stopNode(3)]);
        const until = Date.now() + 90_000;
        while (!ctx.readiness.notReadyNow() && Date.now() < until) await sleep(100);
        await sleep(3000); // an outage, not a blip
        quorumBack = Date.now();
        await Promise.all([cluster.startNode(2), cluster.startNode(3)]);
        await pushedSinceFault(ctx, quorumBack, 180);
        ctx.extra.recovery_after_quorum_s = Math.max(...ctx.clients.map((c) => (Math.min(...c.pushes.filter((p) => p[2] >= quorumBack).map((p) => p[2])) - quorumBack) / 1000));
      },
    });
    const notReady = run.notReadySpans.filter(([from]) => from >= run.faultAt);
    expect(notReady.length).toBeGreaterThan(0);
    expectNothingLost(run);
  }, 900_000);

  it('a network partition of the node Herald consumes from (it also leads the queue): Herald moves to the majority', async () => {
    const run = await runFault(cluster, {
      fault: cluster.partitionable ? 'partition_netns' : 'partition_substitute_sigstop',
      leaderOn: 3,
      heraldOrder: [3, 1, 2],
      publisherOrder: [1, 2, 3],
      inject: async (ctx) => {
        const since = Date.now();
        ctx.markFault();
        cluster.partition(3);
        await pushedSinceFault(ctx, since, 180);
        ctx.extra.partition_held_s = (Date.now() - since) / 1000;
        cluster.heal(3);
      },
    });
    expect(run.heraldNodeBefore).toEqual([3]);
    expect(run.heraldNodeAfter).toHaveLength(1);
    expect(run.heraldNodeAfter[0]).not.toBe(3);
    expect(run.published).toBe(run.accepted);
    expectNothingLost(run);
  }, 900_000);
});
