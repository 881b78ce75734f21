// A three-node RabbitMQ cluster on this machine (Debian's rabbitmq-server 3.10), for the cluster
// tests and the fault bench: distinct node names, AMQP and distribution ports, one Erlang cookie,
// nodes 2 and 3 joined with `rabbitmqctl join_cluster`, all state under one temporary directory
// (crash dumps included). The cluster has its own epmd on a free port, so it neither needs nor
// disturbs the epmd other brokers on this machine use. When network namespaces work, node 3 runs
// in one of its own behind a veth pair, so a test can partition it; otherwise all three listen
// on 127.0.0.1 and `partitionable` is false.
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, sleep } from '../gateway/harness.js';
import { createNetns, netnsWorks, type Netns } from './netns.js';

const RMQ_BIN = '/usr/lib/rabbitmq/bin';

export interface ClusterNode {
  index: number;
  /** Erlang node name (long names; the host part is the node's address). */
  name: string;
  /** Address of its AMQP listener and of its distribution (127.0.0.1, or the namespace's). */
  addr: string;
  amqpPort: number;
  distPort: number;
  dir: string;
  /** Runs a command inside the node's network namespace (empty: this machine's). */
  exec: string[];
  process: ChildProcess | null;
}

/** How often the nodes tick each other: a partition is noticed within about this many seconds. */
const NET_TICKTIME = 8;

export class Cluster {
  private epmds: ChildProcess[] = [];

  private constructor(
    readonly base: string,
    readonly nodes: ClusterNode[],
    private readonly epmdPort: number,
    readonly netns: Netns | null,
  ) {}

  readonly netTicktime = NET_TICKTIME;

  get partitionable(): boolean {
    return this.netns !== null;
  }

  /**
   * Starts three nodes and joins 2 and 3 to 1. `useNetns: false` (or HERALD_CLUSTER_NETNS=0)
   * keeps every node on loopback.
   */
  static async start(opts: { useNetns?: boolean } = {}): Promise<Cluster> {
    const tag = randomBytes(3).toString('hex');
    const base = mkdtempSync(join(tmpdir(), 'herald-cluster-'));
    const wanted = opts.useNetns ?? process.env.HERALD_CLUSTER_NETNS !== '0';
    const netns = wanted && netnsWorks() ? createNetns(tag) : null;
    // The host's nodes take the veth's host address when there is a namespace (node 3 must reach
    // their distribution ports), loopback otherwise. AMQP listens on loopback for them either way.
    const hostDist = netns ? netns.hostAddr : '127.0.0.1';
    const cookie = randomBytes(16).toString('hex');
    const nodes: ClusterNode[] = [];
    for (const index of [1, 2, 3]) {
      const inNs = netns !== null && index === 3;
      const distAddr = inNs ? netns.nsAddr : hostDist;
      const dir = join(base, `n${index}`);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, '.erlang.cookie'), cookie, { mode: 0o400 });
      nodes.push({ index, name: `hc${tag}n${index}@${distAddr}`, addr: inNs ? netns.nsAddr : '127.0.0.1', amqpPort: await freePort(), distPort: await freePort(), dir, exec: inNs ? netns.exec : [], process: null });
    }
    const cluster = new Cluster(base, nodes, await freePort(), netns);
    try {
      cluster.startEpmds();
      for (const n of nodes) cluster.writeConfig(n);
      await Promise.all(nodes.map((n) => cluster.startNode(n.index)));
      for (const n of nodes.slice(1)) {
        cluster.ctl(n.index, ['stop_app']);
        cluster.ctl(n.index, ['join_cluster', nodes[0]!.name]);
        cluster.ctl(n.index, ['start_app']);
      }
      await cluster.waitRunning([1, 2, 3]);
    } catch (e) {
      await cluster.destroy();
      throw e;
    }
    return cluster;
  }

  node(i: number): ClusterNode {
    return this.nodes[i - 1]!;
  }

  /** One epmd per network stack, on a port of our own (its PID is ours to kill). */
  private startEpmds(): void {
    const port = String(this.epmdPort);
    const hostAddrs = this.netns ? `127.0.0.1,${this.netns.hostAddr}` : '127.0.0.1';
    this.epmds.push(spawn('epmd', ['-port', port, '-address', hostAddrs], { stdio: 'ignore' }));
    if (this.netns) this.epmds.push(spawn(this.netns.exec[0]!, [...this.netns.exec.slice(1), 'epmd', '-port', port, '-address', this.netns.nsAddr], { stdio: 'ignore' }));
  }

  private writeConfig(n: ClusterNode): void {
    writeFileSync(
      join(n.dir, 'rabbitmq.conf'),
      [
        `listeners.tcp.1 = ${n.addr}:${n.amqpPort}`,
        // Clients reach node 3 over the veth, not loopback; everything stays on this machine.
        'loopback_users = none',
        // What OpenStack-Ansible sets: a node that sees itself in a minority stops serving.
        'cluster_partition_handling = pause_minority',
        'log.file.level = info',
        'log.console = false',
        '',
      ].join('\n'),
    );
    writeFileSync(join(n.dir, 'advanced.config'), `[{kernel, [{net_ticktime, ${NET_TICKTIME}}]}].\n`);
    writeFileSync(join(n.dir, 'enabled_plugins'), '[].\n');
    writeFileSync(join(n.dir, 'rabbitmq-env.conf'), '');
  }

  private env(n: ClusterNode): NodeJS.ProcessEnv {
    const distAddr = n.name.slice(n.name.indexOf('@') + 1);
    return {
      ...process.env,
      PATH: `${RMQ_BIN}:${process.env.PATH ?? '/usr/bin:/bin'}`,
      HOME: n.dir, // where erl and the CLI find the shared cookie
      RABBITMQ_CONF_ENV_FILE: join(n.dir, 'rabbitmq-env.conf'),
      RABBITMQ_NODENAME: n.name,
      RABBITMQ_USE_LONGNAME: 'true',
      RABBITMQ_CONFIG_FILE: join(n.dir, 'rabbitmq.conf'),
      RABBITMQ_ADVANCED_CONFIG_FILE: join(n.dir, 'advanced.config'),
      RABBITMQ_ENABLED_PLUGINS_FILE: join(n.dir, 'enabled_plugins'),
      RABBITMQ_MNESIA_BASE: join(n.dir, 'mnesia'),
      RABBITMQ_LOG_BASE: join(n.dir, 'log'),
      RABBITMQ_PID_FILE: join(n.dir, 'rabbit.pid'),
      RABBITMQ_DIST_PORT: String(n.distPort),
      RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS: `-kernel inet_dist_use_interface {${distAddr.replace(/\./g, ',')}}`,
      ERL_EPMD_PORT: String(this.epmdPort),
      ERL_CRASH_DUMP: join(n.dir, 'erl_crash.dump'),
      // The start script then execs erl: the child's PID is beam's, so SIGKILL hits the broker.
      RUNNING_UNDER_SYSTEMD: 'true',
    };
  }

  /** Starts a node (again) on its existing state and waits until it answers AMQP. */
  async startNode(i: number, seconds = 180): Promise<void> {
    const n = this.node(i);
    if (n.process && n.process.exitCode === null && n.process.signalCode === null) return;
    mkdirSync(join(n.dir, 'log'), { recursive: true });
    const out = openSync(join(n.dir, 'log', 'stdout.log'), 'a');
    const cmd = [...n.exec, join(RMQ_BIN, 'rabbitmq-server')];
    n.process = spawn(cmd[0]!, cmd.slice(1), { env: this.env(n), stdio: ['ignore', out, out], detached: true });
    const until = Date.now() + seconds * 1000;
    while (!(await amqpAnswers(n.addr, n.amqpPort))) {
      if (n.process.exitCode !== null) throw new Error(`node ${n.name} exited during boot: ${tail(join(n.dir, 'log', 'stdout.log'))}`);
      if (Date.now() > until) throw new Error(`node ${n.name} did not answer AMQP in ${seconds}s`);
      await sleep(200);
    }
  }

  /** SIGKILL: the broker dies at once, as in a crash or an OOM kill. */
  async killNode(i: number): Promise<void> {
    await this.signal(i, 'SIGKILL');
  }

  /** SIGTERM: an orderly shutdown, as `systemctl stop rabbitmq-server`. */
  async stopNode(i: number): Promise<void> {
    await this.signal(i, 'SIGTERM');
  }

  private async signal(i: number, sig: NodeJS.Signals): Promise<void> {
    const p = this.node(i).process;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => p.once('exit', () => resolve()));
    p.kill(sig);
    const timeout = sleep(60_000).then(() => p.kill('SIGKILL'));
    await Promise.race([exited, timeout]);
    await exited;
  }

  /**
   * Cuts node i off from the others and from every client. With a namespace (node 3 only) its
   * veth goes down: packets are dropped, both sides keep running. Without, the substitute: the
   * node is frozen (SIGSTOP), which its peers and clients cannot tell from a partition until it
   * is thawed, but which also stops the node itself from noticing it is in a minority (so heal
   * restarts it).
   */
  partition(i: number): void {
    if (this.netns && this.node(i).exec.length) return this.netns.partition();
    if (this.netns) throw new Error(`node ${i} is not in the namespace; only node 3 can be partitioned`);
    this.node(i).process?.kill('SIGSTOP');
  }

  async heal(i: number): Promise<void> {
    if (this.netns) return this.netns.heal();
    this.node(i).process?.kill('SIGCONT');
    // A frozen node never saw itself in a minority, so pause_minority does not restart it and
    // mnesia stays partitioned: restart it, as an operator would after such a partition.
    await this.stopNode(i);
    await this.startNode(i);
  }

  /** rabbitmqctl against node i, run from that node's network namespace. */
  ctl(i: number, args: string[], timeoutSeconds = 120): string {
    const n = this.node(i);
    const cmd = [...n.exec, join(RMQ_BIN, 'rabbitmqctl'), '-q', '-n', n.name, '--longnames', ...args];
    return execFileSync(cmd[0]!, cmd.slice(1), { env: this.env(n), encoding: 'utf8', timeout: timeoutSeconds * 1000, stdio: ['ignore', 'pipe', 'pipe'] });
  }

  /** rabbitmqctl without blocking the event loop (while clients are timing pushes). */
  ctlAsync(i: number, args: string[]): Promise<string> {
    const n = this.node(i);
    const cmd = [...n.exec, join(RMQ_BIN, 'rabbitmqctl'), '-q', '-n', n.name, '--longnames', ...args];
    return new Promise((resolve, reject) => execFile(cmd[0]!, cmd.slice(1), { env: this.env(n), encoding: 'utf8', timeout: 60_000 }, (e, out) => (e ? reject(e) : resolve(out))));
  }

  /** rabbitmqctl with JSON output, rows as objects. */
  ctlJson<T>(i: number, args: string[]): T[] {
    const out = this.ctl(i, [...args, '--formatter', 'json']).trim();
    return out ? (JSON.parse(out) as T[]) : [];
  }

  /** Waits until node `ask` sees the rabbit app of every given node running (itself included). */
  async waitRunning(indexes: number[], ask = indexes[0]!, seconds = 180): Promise<void> {
    const until = Date.now() + seconds * 1000;
    const want = indexes.map((i) => this.node(i).name);
    for (;;) {
      let running: string[] = [];
      try {
        running = (JSON.parse(this.ctl(ask, ['cluster_status', '--formatter', 'json'], 30)) as { running_nodes?: string[] }).running_nodes ?? [];
      } catch {
        // not up yet
      }
      if (want.every((w) => running.includes(w))) return;
      if (Date.now() > until) throw new Error(`cluster nodes ${want.join(', ')} not all running after ${seconds}s`);
      await sleep(500);
    }
  }

  /** The node (index) leading the quorum queue, asked of a node that is up. */
  leader(queue: string, askNode: number): number {
    const rows = this.ctlJson<{ name: string; leader: string }>(askNode, ['list_queues', 'name', 'leader']);
    const row = rows.find((r) => r.name === queue);
    if (!row) throw new Error(`queue ${queue} not found on ${this.node(askNode).name}`);
    return this.indexOf(row.leader);
  }

  /** Ready and unacknowledged messages of a queue. */
  queueCounts(queue: string, askNode: number): { ready: number; unacked: number } {
    const rows = this.ctlJson<{ name: string; messages_ready: number; messages_unacknowledged: number }>(askNode, ['list_queues', 'name', 'messages_ready', 'messages_unacknowledged']);
    const row = rows.find((r) => r.name === queue);
    if (!row) throw new Error(`queue ${queue} not found on ${this.node(askNode).name}`);
    return { ready: row.messages_ready, unacked: row.messages_unacknowledged };
  }

  /** Nodes (indexes) holding AMQP connections whose client product matches, e.g. amqplib (Herald). */
  connectedNodes(product: RegExp, askNode: number): number[] {
    const rows = this.ctlJson<{ port: number; client_properties: unknown }>(askNode, ['list_connections', 'port', 'client_properties']);
    return rows.filter((r) => product.test(JSON.stringify(r.client_properties))).map((r) => this.nodes.find((n) => n.amqpPort === r.port)!.index);
  }

  indexOf(nodeName: string): number {
    const n = this.nodes.find((x) => x.name === nodeName);
    if (!n) throw new Error(`unknown node ${nodeName}`);
    return n.index;
  }

  /** oslo transport_url with the nodes in this order (fail-over is tried in that order). */
  transportUrl(order: number[], query = ''): string {
    return `rabbit://${order.map((i) => `guest:guest@${this.node(i).addr}:${this.node(i).amqpPort}`).join(',')}/${query}`;
  }

  amqpUrl(i: number): string {
    return `amqp://guest:guest@${this.node(i).addr}:${this.node(i).amqpPort}/`;
  }

  /** Stops everything this cluster started and removes its state and namespace. */
  async destroy(): Promise<void> {
    await Promise.all(this.nodes.map((n) => this.signal(n.index, 'SIGKILL')));
    for (const e of this.epmds) e.kill('SIGKILL');
    this.netns?.remove();
    if (!process.env.HERALD_CLUSTER_KEEP) rmSync(this.base, { recursive: true, force: true });
  }
}

/** An AMQP 0-9-1 broker answers the protocol header with a method frame (first byte 1). */
function amqpAnswers(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = tcpConnect({ host, port });
    const done = (ok: boolean) => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(2000, () => done(false));
    s.once('error', () => done(false));
    s.once('connect', () => s.write(Buffer.from('AMQP\x00\x00\x09\x01', 'latin1')));
    s.once('data', (d) => done(d[0] === 1));
  });
}

function tail(path: string): string {
  try {
    return readFileSync(path, 'utf8').split('\n').slice(-20).join('\n');
  } catch {
    return '(no log)';
  }
}
