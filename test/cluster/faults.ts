// The four faults of issue 18 as plans for runFault (scenario.ts), shared by the cluster tests
// and the fault bench. The fault instant is marked once the fault has taken effect (the node is
// gone, the link is down), so pushes already in flight do not pass for a recovery.
import { sleep } from '../gateway/harness.js';
import type { Cluster } from './cluster.js';
import type { FaultContext, FaultPlan } from './scenario.js';

/** Waits (bounded) until every client got a push of a notification sent at or after `since`. */
export async function pushedSince(ctx: FaultContext, since: number, seconds = 120): Promise<void> {
  const until = Date.now() + seconds * 1000;
  while (!ctx.clients.every((c) => c.pushes.some((p) => p[1] >= since))) {
    if (Date.now() > until) throw new Error(`no push of a notification sent after the fault within ${seconds}s`);
    await sleep(50);
  }
}

/** Herald consumes from node 1, node 2 leads the queue, the notifier publishes to node 3; node 1 dies. */
export function connectedNodeKilled(cluster: Cluster): FaultPlan {
  return {
    fault: 'connected_node_killed',
    leaderOn: 2,
    faulted: 1,
    heraldOrder: [1, 2, 3],
    publisherOrder: [3, 2, 1],
    inject: async (ctx) => {
      await cluster.killNode(1);
      ctx.markFault();
      await pushedSince(ctx, Date.now());
      ctx.repair(cluster.startNode(1));
    },
  };
}

/** Herald consumes from node 1, the notifier publishes to node 3; node 2, the queue's leader, dies. */
export function queueLeaderKilled(cluster: Cluster): FaultPlan {
  return {
    fault: 'queue_leader_killed',
    leaderOn: 2,
    faulted: 2,
    heraldOrder: [1, 3, 2],
    publisherOrder: [3, 1, 2],
    inject: async (ctx) => {
      await cluster.killNode(2);
      ctx.markFault();
      await pushedSince(ctx, Date.now());
      ctx.extra.leader_after = cluster.leader(ctx.queue, 1);
      ctx.repair(cluster.startNode(2));
    },
  };
}

/**
 * Nodes 2 and 3 stopped in an orderly way: the queue has no quorum, and node 1, in a minority,
 * pauses (pause_minority) and drops its clients. Held until Herald says it is not ready, plus a
 * few seconds; then both come back.
 */
export function noQuorum(cluster: Cluster): FaultPlan {
  return {
    fault: 'no_quorum',
    leaderOn: 1,
    faulted: 2,
    heraldOrder: [1, 2, 3],
    publisherOrder: [1, 2, 3],
    inject: async (ctx) => {
      await Promise.all([cluster.stopNode(2), cluster.stopNode(3)]);
      ctx.markFault();
      const until = Date.now() + 90_000;
      while (!ctx.readiness.notReadyNow() && Date.now() < until) await sleep(100);
      await sleep(3000); // an outage, not a blip
      const restart = Date.now();
      await Promise.all([cluster.startNode(2), cluster.startNode(3)]);
      const back = Date.now();
      ctx.extra.outage_s = (restart - ctx.faultAt()) / 1000;
      ctx.extra.nodes_boot_s = (back - restart) / 1000;
      await pushedSince(ctx, ctx.faultAt(), 180);
      // Nothing is pushed during the outage: the first push after the restart ends it. (The
      // queue regains its quorum before the restarted nodes open their AMQP listeners.)
      ctx.extra.restart_to_first_push_s = Math.max(...ctx.clients.map((c) => (Math.min(...c.pushes.filter((p) => p[2] >= restart).map((p) => p[2])) - restart) / 1000));
    },
  };
}

/**
 * Node 3, which Herald consumes from and which leads the queue, is cut off (its veth down, or
 * frozen where namespaces are not available) and stays cut off until Herald pushes again from the
 * majority and at least two net ticks passed (so the cluster really saw it go: pause_minority
 * pauses it), then the link comes back and the node must rejoin.
 */
export function partitionOfConnectedLeader(cluster: Cluster): FaultPlan {
  return {
    fault: cluster.partitionable ? 'partition_netns' : 'partition_substitute_sigstop',
    leaderOn: 3,
    faulted: 3,
    heraldOrder: [3, 1, 2],
    publisherOrder: [1, 2, 3],
    inject: async (ctx) => {
      cluster.partition(3);
      ctx.markFault();
      // Where the stream waits while nothing is pushed: in Herald's queue (ready) or before it.
      const probe = sleep(20_000).then(() => cluster.ctlAsync(1, ['list_queues', 'name', 'messages_ready', 'leader', '--formatter', 'json']));
      await pushedSince(ctx, ctx.faultAt(), 180);
      const rows = JSON.parse(await probe.catch(() => '[]')) as Array<{ name: string; messages_ready: number; leader: string }>;
      const row = rows.find((r) => r.name === ctx.queue);
      ctx.extra.at_20s = row ? `ready=${row.messages_ready},leader=${row.leader.split('@')[0]!.slice(-2)}` : 'n/a';
      ctx.extra.leader_after = cluster.leader(ctx.queue, 1);
      const minHold = ctx.faultAt() + 2 * cluster.netTicktime * 1000;
      if (Date.now() < minHold) await sleep(minHold - Date.now());
      ctx.extra.partition_held_s = (Date.now() - ctx.faultAt()) / 1000;
      await cluster.heal(3);
    },
  };
}
