// fault group, cluster part: failover times on a three-node RabbitMQ cluster (Herald's queue a
// quorum queue, the real oslo Notifier publishing steadily), with the cluster tests' harness:
// from the fault taking effect to the first push of a notification published after it.
import { ensurePackages } from '../test/gateway/harness.js';
import { Cluster } from '../test/cluster/cluster.js';
import { connectedNodeKilled, queueLeaderKilled } from '../test/cluster/faults.js';
import { runFault } from '../test/cluster/scenario.js';
import { report } from './report.js';

export async function benchCluster(): Promise<void> {
  ensurePackages();
  const cluster = await Cluster.start({ useNetns: false });
  try {
    const connected = await runFault(cluster, connectedNodeKilled(cluster));
    report('fault.failover_connected_node_s', connected.recoverySeconds, 's', `SIGKILL of the node Herald consumes from -> first push via another node; ${connected.missing} missing, ${connected.duplicates.join('/')} duplicates`);
    const leader = await runFault(cluster, queueLeaderKilled(cluster));
    report('fault.failover_queue_leader_s', leader.recoverySeconds, 's', `SIGKILL of the quorum queue's leader -> first push after the new leader's election; ${leader.missing} missing, ${leader.duplicates.join('/')} duplicates`);
  } finally {
    await cluster.destroy();
  }
}
