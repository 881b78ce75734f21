// The ceiling: a bare amqplib consumer draining a pre-filled queue (prefetch, ack each, parse
// nothing). argv[2]: {url, queue, count, prefetch}. Prints {count, seconds, cpuUs} (cpuUs: this
// process's user+system CPU from the first message to the last).
import amqplib from 'amqplib';
import { readPlan } from './plan.js';

const plan = readPlan<{ url: string; queue: string; count: number; prefetch: number }>();

async function main(): Promise<void> {
  const conn = await amqplib.connect(plan.url, { noDelay: true });
  const ch = await conn.createChannel();
  await ch.prefetch(plan.prefetch);
  let seen = 0;
  let first = 0;
  let cpu0 = process.cpuUsage();
  await new Promise<void>((resolve) => {
    void ch.consume(plan.queue, (m) => {
      if (!m) return;
      if (!seen) {
        first = performance.now();
        cpu0 = process.cpuUsage();
      }
      ch.ack(m);
      if (++seen === plan.count) resolve();
    });
  });
  const seconds = (performance.now() - first) / 1000;
  const cpu = process.cpuUsage(cpu0);
  await ch.close();
  await conn.close();
  process.stdout.write(JSON.stringify({ count: seen, seconds, cpuUs: cpu.user + cpu.system }) + '\n');
}

main().catch((e: unknown) => {
  process.stderr.write(`drain: ${String(e)}\n`);
  process.exit(1);
});
