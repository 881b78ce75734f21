// A real Apache Kafka 4.x for the Kafka tests: jars from Maven Central (test/kafka/pom.xml, cached
// in .cache/kafka/libs), one combined KRaft broker+controller on 127.0.0.1 with free ports and its
// own state directory, stopped and started again on the same ports and data for the fault tests.
// The publisher is the real oslo.messaging Kafka driver (shared/tools/oslo_publish.py).
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import kafkajs from 'kafkajs';
import { ROOT, SHARED } from '../helpers.js';
import { freePort, sleep } from '../gateway/harness.js';

const { Kafka, logLevel } = kafkajs;
export const KAFKA_LIBS = join(ROOT, '.cache', 'kafka', 'libs');
const POM_DIR = join(ROOT, 'test', 'kafka');
const APT_LOCK = '/tmp/herald-apt.lock';

/** Debian's Maven and the oslo Kafka driver's client (librdkafka binding), installed when missing. */
function ensureDebianPackages(): void {
  const missing: string[] = [];
  if (spawnSync('which', ['mvn'], { stdio: 'ignore' }).status !== 0) missing.push('maven');
  if (spawnSync('which', ['java'], { stdio: 'ignore' }).status !== 0) missing.push('openjdk-17-jre-headless');
  if (spawnSync('/usr/bin/python3', ['-c', 'import oslo_messaging, confluent_kafka'], { stdio: 'ignore' }).status !== 0) missing.push('python3-oslo.messaging', 'python3-confluent-kafka');
  if (!missing.length) return;
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const script = `apt-get update -qq && apt-get install -y -qq --no-install-recommends ${missing.join(' ')}`;
  execFileSync('flock', [APT_LOCK, 'bash', '-c', script], { stdio: 'inherit', env, timeout: 900_000 });
}

/** The broker's jars, fetched once by Maven (several test files may ask at once: one at a time). */
export function ensureKafka(): void {
  ensureDebianPackages();
  const marker = join(KAFKA_LIBS, '.complete');
  if (existsSync(marker) && readFileSync(marker, 'utf8') === readFileSync(join(POM_DIR, 'pom.xml'), 'utf8')) return;
  mkdirSync(join(ROOT, '.cache', 'kafka'), { recursive: true });
  const script = `test -f '${marker}' && cmp -s '${marker}' pom.xml || { rm -rf '${KAFKA_LIBS}' && mvn -q -B dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory='${KAFKA_LIBS}' && cp pom.xml '${marker}'; }`;
  execFileSync('flock', [join(ROOT, '.cache', 'kafka', '.lock'), 'bash', '-c', script], { cwd: POM_DIR, stdio: 'inherit', timeout: 900_000 });
}

export interface KafkaBroker {
  port: number;
  /** `127.0.0.1:PORT` */
  bootstrap: string;
  /** oslo's transport_url for it (no vhost). */
  url: string;
  dir: string;
  /** Starts it (again: same ports, same data) and waits until it answers. */
  start(): Promise<void>;
  /** Orderly stop (SIGTERM), waits for the process to end. */
  stop(): Promise<void>;
  /** SIGKILL. */
  kill(): Promise<void>;
  /** A kafkajs client for the test's own producing, reading and admin calls. */
  client(): InstanceType<typeof Kafka>;
}

function properties(dir: string, port: number, controller: number, partitions: number): string {
  return [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.bootstrap.servers=127.0.0.1:${controller}`,
    `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controller}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
    'controller.listener.names=CONTROLLER',
    'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'inter.broker.listener.name=PLAINTEXT',
    `log.dirs=${join(dir, 'data')}`,
    `num.partitions=${partitions}`,
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=3',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'share.coordinator.state.topic.replication.factor=1',
    'group.initial.rebalance.delay.ms=0',
    'auto.create.topics.enable=true',
    '',
  ].join('\n');
}

/** A Kafka cluster id: 16 random bytes, URL-safe base64 without padding (what `kafka-storage random-uuid` prints). */
const clusterId = (): string => randomBytes(16).toString('base64url');

/** Formats a fresh state directory and starts the broker; `partitions` is the auto-created topics' count. */
export async function startKafka(opts: { partitions?: number } = {}): Promise<KafkaBroker> {
  ensureKafka();
  const dir = mkdtempSync(join(tmpdir(), 'herald-kafka-'));
  const port = await freePort();
  const controller = await freePort();
  const props = join(dir, 'server.properties');
  writeFileSync(props, properties(dir, port, controller, opts.partitions ?? 1));
  const java = (main: string, args: string[]) => ['-Xmx512m', '-Xms64m', '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1', '-cp', `${KAFKA_LIBS}/*`, main, ...args];
  // `--cluster-id=ID`, not `-t ID`: a base64url id may start with '-', which the tool reads as an option.
  execFileSync('java', java('kafka.tools.StorageTool', ['format', '--standalone', `--cluster-id=${clusterId()}`, '-c', props]), { stdio: ['ignore', 'pipe', 'inherit'], timeout: 120_000 });
  let proc: ChildProcess | null = null;
  let exited: Promise<void> = Promise.resolve();
  const bootstrap = `127.0.0.1:${port}`;
  const client = () => new Kafka({ brokers: [bootstrap], clientId: 'herald-test', logLevel: logLevel.NOTHING, retry: { retries: 10, initialRetryTime: 100 } });
  const end = async (signal: NodeJS.Signals) => {
    if (!proc) return;
    proc.kill(signal);
    await exited;
    proc = null;
  };
  const broker: KafkaBroker = {
    port,
    bootstrap,
    url: `kafka://${bootstrap}/`,
    dir,
    async start() {
      if (proc) return;
      const child = spawn('java', java('kafka.Kafka', [props]), { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, KAFKA_HEAP_OPTS: '' } });
      let stderr = '';
      child.stderr!.on('data', (d: Buffer) => void (stderr = (stderr + d.toString()).slice(-4000)));
      proc = child;
      exited = new Promise((resolve) => child.once('exit', () => resolve()));
      await waitAnswering(client, 120, () => (child.exitCode !== null ? `broker exited: ${stderr}` : null));
    },
    stop: () => end('SIGTERM'),
    kill: () => end('SIGKILL'),
    client,
  };
  await broker.start();
  return broker;
}

/** Until the broker answers metadata and has a group coordinator (a committed offsets fetch works). */
async function waitAnswering(client: () => InstanceType<typeof Kafka>, seconds: number, dead: () => string | null): Promise<void> {
  const until = Date.now() + seconds * 1000;
  for (;;) {
    const why = dead();
    if (why) throw new Error(why);
    const admin = client().admin();
    try {
      await admin.connect();
      await admin.listTopics();
      await admin.fetchOffsets({ groupId: 'herald-harness-probe', topics: [] });
      await admin.disconnect();
      return;
    } catch (e) {
      await admin.disconnect().catch(() => undefined);
      if (Date.now() > until) throw new Error(`Kafka never answered: ${(e as Error).message}`);
      await sleep(300);
    }
  }
}

export async function stopKafka(b: KafkaBroker | undefined): Promise<void> {
  if (!b) return;
  await b.stop();
  rmSync(b.dir, { recursive: true, force: true });
}

/** Publishes records with the real oslo.messaging Notifier over its Kafka driver. */
export function osloPublishKafka(url: string, records: object[], extra: string[] = []): void {
  const r = spawnSync('/usr/bin/python3', [join(SHARED, 'tools', 'oslo_publish.py'), '--url', url, '--quiet', ...extra, '-'], {
    input: records.map((x) => JSON.stringify(x)).join('\n') + '\n',
    encoding: 'utf8',
    timeout: 300_000,
  });
  if (r.status !== 0) throw new Error(`oslo_publish failed: ${r.stderr}`);
  // The summary line goes to stderr, after librdkafka's own warnings.
  const summary = `${r.stdout}\n${r.stderr}`.split('\n').find((l) => l.startsWith('{"summary"'));
  if (!summary || JSON.parse(summary).summary.delivery_errors_logged !== 0) throw new Error(`oslo_publish did not deliver everything: ${r.stdout.slice(-500)} ${r.stderr.slice(-500)}`);
}

/** The exact record bytes the oslo Kafka driver writes for these records (its producer intercepted). */
export function osloKafkaBytes(records: object[]): Array<{ topic: string; value: Buffer }> {
  const r = spawnSync('/usr/bin/python3', [join(SHARED, 'tools', 'oslo_publish.py'), '--kafka-dry-run', '--quiet', '-'], { input: records.map((x) => JSON.stringify(x)).join('\n') + '\n', encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`oslo_publish --kafka-dry-run failed: ${r.stderr}`);
  return r.stdout
    .split('\n')
    .filter((l) => l.includes('"kafka_topic"'))
    .map((l) => JSON.parse(l) as { kafka_topic: string; value: string })
    .map((x) => ({ topic: x.kafka_topic, value: Buffer.from(x.value, 'utf8') }));
}

/** Creates topics (as oslo's first write or an operator would) so a group starting at `latest` misses nothing. */
export async function createTopics(b: KafkaBroker, topics: string[], partitions = 1): Promise<void> {
  const admin = b.client().admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: topics.map((topic) => ({ topic, numPartitions: partitions })), waitForLeaders: true });
  } finally {
    await admin.disconnect();
  }
}

/** Committed offsets of a group on a topic minus the partitions' end offsets, summed. */
export async function groupLag(b: KafkaBroker, groupId: string, topic: string): Promise<number> {
  const admin = b.client().admin();
  await admin.connect();
  try {
    const ends = await admin.fetchTopicOffsets(topic);
    const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
    let lag = 0;
    for (const e of ends) {
      const c = committed!.partitions.find((p) => p.partition === e.partition);
      const at = c && Number(c.offset) >= 0 ? Number(c.offset) : 0;
      lag += Number(e.high) - at;
    }
    return lag;
  } finally {
    await admin.disconnect();
  }
}

/** Every record of a topic from the beginning (bounded by the end offsets read first). */
export async function readTopic(b: KafkaBroker, topic: string): Promise<Array<{ value: Buffer; headers: Record<string, string>; partition: number; offset: string }>> {
  const admin = b.client().admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  const total = ends.reduce((s, e) => s + Number(e.high) - Number(e.low), 0);
  const out: Array<{ value: Buffer; headers: Record<string, string>; partition: number; offset: string }> = [];
  if (!total) return out;
  const c = b.client().consumer({ groupId: `herald-test-reader-${randomBytes(4).toString('hex')}` });
  await c.connect();
  await c.subscribe({ topic, fromBeginning: true });
  const done = new Promise<void>((resolve) => {
    void c.run({
      eachMessage: async ({ partition, message }) => {
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(message.headers ?? {})) headers[k] = String(v);
        out.push({ value: message.value!, headers, partition, offset: message.offset });
        if (out.length >= total) resolve();
      },
    });
  });
  const until = Date.now() + 60_000;
  while (out.length < total && Date.now() < until) await Promise.race([done, sleep(200)]);
  await c.disconnect();
  return out;
}
