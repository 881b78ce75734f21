// The Kafka ceiling: a bare kafkajs consumer (the library Herald uses) draining a pre-filled
// topic with a new group from the beginning, committing each batch, parsing nothing.
// argv[2]: {brokers, topic, group, count}. Prints {count, seconds}.
import kafkajs from 'kafkajs';
import { readPlan } from './plan.js';

const plan = readPlan<{ brokers: string[]; topic: string; group: string; count: number }>();

async function main(): Promise<void> {
  const kafka = new kafkajs.Kafka({ brokers: plan.brokers, clientId: 'bench-drain', logLevel: kafkajs.logLevel.ERROR });
  const consumer = kafka.consumer({ groupId: plan.group, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topics: [plan.topic], fromBeginning: true });
  let seen = 0;
  let first = 0;
  let last = 0;
  await new Promise<void>((resolve) => {
    void consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        if (!seen) first = performance.now();
        seen += batch.messages.length;
        await consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: String(BigInt(batch.lastOffset()) + 1n) }]);
        last = performance.now();
        if (seen >= plan.count) resolve();
      },
    });
  });
  await consumer.disconnect();
  process.stdout.write(JSON.stringify({ count: seen, seconds: (last - first) / 1000 }) + '\n');
}

main().catch((e: unknown) => {
  process.stderr.write(`kafka-drain: ${String(e)}\n`);
  process.exit(1);
});
