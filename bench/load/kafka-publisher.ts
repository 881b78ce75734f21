// Load process: fills a Kafka topic with what oslo's Kafka driver writes (wire.md §8: always the
// v2 envelope, context nested under `_context`, no `_unique_id`, no key, no headers), test.push
// for user-<k>, acknowledged by the broker. argv[2]: {brokers, topic, count, users}.
import { randomUUID } from 'node:crypto';
import kafkajs from 'kafkajs';
import { osloEnvelope, pyDumps } from '../oslo-wire.js';
import { parsePyJson } from '../../runtime/semantics/pyjson.js';
import { readPlan } from './plan.js';

const plan = readPlan<{ brokers: string[]; topic: string; count: number; users: number }>();

function record(n: number): Buffer {
  const inner = {
    message_id: randomUUID(),
    publisher_id: 'bench',
    event_type: 'test.push',
    priority: 'INFO',
    payload: { target: `user-${n % plan.users}`, n, sent: Date.now() },
    timestamp: new Date().toISOString().replace('T', ' ').replace('Z', ''),
    _context: { user_id: 'bench', project_id: 'bench', request_id: `req-${n}` },
  };
  // Byte for byte what the driver writes (Python json.dumps defaults), as the AMQP publisher does.
  return Buffer.from(osloEnvelope(pyDumps(parsePyJson(JSON.stringify(inner)))));
}

async function main(): Promise<void> {
  const kafka = new kafkajs.Kafka({ brokers: plan.brokers, clientId: 'bench-publisher', logLevel: kafkajs.logLevel.ERROR });
  const producer = kafka.producer();
  await producer.connect();
  const started = Date.now();
  for (let n = 1; n <= plan.count; n += 1000) {
    const messages = Array.from({ length: Math.min(1000, plan.count - n + 1) }, (_, i) => ({ value: record(n + i) }));
    await producer.send({ topic: plan.topic, acks: -1, messages });
  }
  await producer.disconnect();
  process.stdout.write(JSON.stringify({ published: plan.count, seconds: (Date.now() - started) / 1000 }) + '\n');
}

main().catch((e: unknown) => {
  process.stderr.write(`kafka-publisher: ${String(e)}\n`);
  process.exit(1);
});
