// kafka group: Herald from a pre-filled Kafka topic to WebSocket clients, against a bare kafkajs
// consumer draining the same kind of topic in the same run (a real Kafka 4.x, loopback only).
import { mkdtempSync, writeFileSync } from 'node:fs';
import type { ChildProcess } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitHttp } from '../test/gateway/harness.js';
import { createTopics, startKafka, stopKafka, type KafkaBroker } from '../test/kafka/harness.js';
import { report } from './report.js';
import { runScript, startClients, startGatewayProcess, waitFrames } from './load/procs.js';

const SECRET = 'bench-secret-bench-secret-bench-secret!';
const RULES_YAML = `- event_type: test.push
  traits:
    target:
      fields: payload.target
    n:
      type: int
      fields: payload.n
`;
const TRANSFORMER = `[NOTIFY_MANAGER]
transformer = [
    {'event_type': 'test.push', 'event_define': {'event_type': 'websocket.send', 'traits': {'toid': '@traits.target', 'message_type': 'bench', 'message': {'n': '@traits.n'}}}},
  ]
`;

function gatewayFiles(kafka: KafkaBroker, port: number): { dir: string; config: string } {
  const dir = mkdtempSync(join(tmpdir(), 'herald-bench-kafka-'));
  writeFileSync(join(dir, 'event_definitions.yaml'), RULES_YAML);
  writeFileSync(join(dir, 'settings.ini'), TRANSFORMER);
  const config = join(dir, 'gw.ini');
  writeFileSync(
    config,
    `[MESSAGE_COLLECTOR]\ntransport_url = ${kafka.url}herald\npriorities = ['info']\nkafka_consumer_group = herald-bench\nkafka_auto_offset_reset = earliest\nreconnect_max_seconds = 1\n[WEBSOCKET]\nport = ${port}\njwt_secret = ${SECRET}\nmax_backpressure = 16777216\n`,
  );
  return { dir, config };
}

/** e2e.kafka_throughput_vs_drain (HERALD_BENCH_KAFKA_MESSAGES, default 40,000). */
export async function benchKafka(count = Number(process.env.HERALD_BENCH_KAFKA_MESSAGES ?? 40000)): Promise<void> {
  const kafka = await startKafka();
  const children: ChildProcess[] = [];
  const users = 100;
  try {
    const brokers = [kafka.bootstrap];
    await createTopics(kafka, ['bench.drain', 'notifications.info.herald']);
    await runScript('kafka-publisher.ts', { brokers, topic: 'bench.drain', count, users });
    const drain = await runScript<{ count: number; seconds: number }>('kafka-drain.ts', { brokers, topic: 'bench.drain', group: 'bench-drain', count });
    const drainRate = drain.count / drain.seconds;

    // Herald's topic is filled, then the broker stopped: Herald starts and its clients connect
    // while it cannot consume; once the broker is back it drains the whole topic.
    await runScript('kafka-publisher.ts', { brokers, topic: 'notifications.info.herald', count, users });
    await kafka.stop();
    const port = await freePort();
    const files = gatewayFiles(kafka, port);
    const gw = startGatewayProcess(files.dir, files.config);
    children.push(gw);
    await waitHttp(port, '/healthz');
    const clients = await startClients({ port, secret: SECRET, users });
    children.push(clients.child);
    await kafka.start();
    const got = await waitFrames(clients, count, 300);
    if (got.frames < count) throw new Error(`Herald pushed ${got.frames} of ${count} frames`);
    const heraldRate = count / ((got.lastAt - got.firstAt) / 1000);
    clients.stop();
    report('e2e.kafka_herald_notifications_per_s', heraldRate, 'notifications/s', `${count} pre-filled Kafka records (one partition) -> decode -> transform -> ${users} WebSocket clients (separate process)`);
    report('e2e.kafka_drain_per_s', drainRate, 'records/s', `bare kafkajs consumer, same broker, same ${count} records, commit per batch`);
    report('e2e.kafka_throughput_vs_drain', heraldRate / drainRate, 'x', 'Herald / bare drain, same library, same run');
  } finally {
    for (const c of children) c.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 2000));
    for (const c of children) c.kill('SIGKILL');
    await stopKafka(kafka);
  }
}
