// Issue 18: Herald against a three-node RabbitMQ cluster with its queue a quorum queue, under a
// steady publish from the real oslo Notifier, through four faults (faults.ts). One cluster for the
// file; each fault repairs what it broke. The oracle's figures are printed (ORACLE lines).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensurePackages } from '../gateway/harness.js';
import { Cluster } from './cluster.js';
import { connectedNodeKilled, noQuorum, partitionOfConnectedLeader, queueLeaderKilled } from './faults.js';
import { runFault, type FaultRun } from './scenario.js';

let cluster: Cluster;

beforeAll(async () => {
  ensurePackages();
  cluster = await Cluster.start();
  process.stdout.write(`cluster: ${cluster.nodes.map((n) => `${n.name} amqp ${n.addr}:${n.amqpPort}`).join('; ')}; partition by ${cluster.partitionable ? 'network namespace + veth' : 'SIGSTOP (no network namespaces here)'}\n`);
}, 600_000);

afterAll(async () => {
  await cluster?.destroy();
}, 120_000);

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
    const run = await runFault(cluster, connectedNodeKilled(cluster));
    expect(run.heraldNodeBefore).toEqual([1]);
    expect(run.heraldNodeAfter).toHaveLength(1);
    expect(run.heraldNodeAfter[0]).not.toBe(1);
    expect(run.published).toBe(run.accepted); // the notifier was on a node that stayed up
    expectNothingLost(run);
  }, 600_000);

  it('SIGKILL of the quorum queue leader: a new leader is elected and Herald loses nothing', async () => {
    const run = await runFault(cluster, queueLeaderKilled(cluster));
    expect(run.leaderBefore).toBe(2);
    expect(run.extra.leader_after).not.toBe(2);
    expect(run.heraldNodeBefore).toEqual([1]);
    expect(run.published).toBe(run.accepted);
    expectNothingLost(run);
  }, 600_000);

  it('two of three nodes stopped: no quorum, Herald is not ready and loses nothing, then resumes', async () => {
    const run = await runFault(cluster, noQuorum(cluster));
    expect(run.notReadySpans.some(([from, to]) => to > run.faultAt && from <= run.faultAt + 90_000)).toBe(true);
    expectNothingLost(run);
  }, 900_000);

  it('a network partition of the node Herald consumes from (it also leads the queue): Herald moves to the majority', async () => {
    const run = await runFault(cluster, partitionOfConnectedLeader(cluster));
    expect(run.heraldNodeBefore).toEqual([3]);
    expect(run.leaderBefore).toBe(3);
    expect(run.extra.leader_after).not.toBe(3);
    expect(run.consumingLog.length).toBeGreaterThan(1); // it reconnected
    expect(run.heraldNodeAfter).toHaveLength(1);
    expect(run.heraldNodeAfter[0]).not.toBe(3);
    expect(run.published).toBe(run.accepted);
    expectNothingLost(run);
  }, 900_000);
});
