// Load process: publishes oslo messagingv2 envelopes (test.push for user-<k>) with publisher
// confirms, as fast as the broker takes them or at a fixed rate. argv[2]: a JSON PublishPlan.
import amqplib from 'amqplib';
import { randomUUID } from 'node:crypto';
import { osloEnvelope, pyDumps } from '../oslo-wire.js';
import { parsePyJson } from '../../runtime/semantics/pyjson.js';
import { readPlan } from './plan.js';

interface PublishPlan {
  url: string;
  exchange: string;
  routingKey: string;
  count: number;
  /** Messages per second; 0 = as fast as possible. */
  rate: number;
  users: number;
  /** Address the project instead of users. */
  project?: string;
  /** Bytes of padding per notification (payload.pad). */
  pad?: number;
  /** This share of the messages goes to users 0..users-1 of `hot` (the slow consumers' ids). */
  hot?: { users: number; share: number };
}

const plan = readPlan<PublishPlan>();

function body(n: number): Buffer {
  const inner = {
    message_id: randomUUID(),
    publisher_id: 'bench',
    event_type: 'test.push',
    priority: 'INFO',
    payload: { ...(plan.project ? { project: plan.project } : {}), target: plan.project ? null : plan.hot && n % 100 < plan.hot.share * 100 ? `user-${n % plan.hot.users}` : `user-${n % plan.users}`, n, sent: Date.now(), ...(plan.pad ? { pad: 'p'.repeat(plan.pad) } : {}) },
    timestamp: new Date().toISOString().replace('T', ' ').replace('Z', ''),
    _unique_id: randomUUID().replace(/-/g, ''),
  };
  // Byte for byte what oslo's serialize_msg + kombu's json write (Python json.dumps defaults).
  return Buffer.from(osloEnvelope(pyDumps(parsePyJson(JSON.stringify(inner)))));
}

async function main(): Promise<void> {
  const conn = await amqplib.connect(plan.url, { noDelay: true });
  const ch = await conn.createConfirmChannel();
  const started = Date.now();
  const send = async (n: number): Promise<void> => {
    if (!ch.publish(plan.exchange, plan.routingKey, body(n), { contentType: 'application/json', deliveryMode: 2 })) await new Promise((r) => ch.once('drain', r));
  };
  if (plan.rate <= 0) {
    for (let n = 1; n <= plan.count; n++) await send(n);
  } else {
    // Ticks of 5 ms, each catching up to where the fixed rate says we should be.
    let n = 0;
    while (n < plan.count) {
      const due = Math.min(plan.count, Math.floor(((Date.now() - started) / 1000) * plan.rate));
      while (n < due) await send(++n);
      await new Promise((r) => setTimeout(r, 5));
    }
  }
  await ch.waitForConfirms();
  const seconds = (Date.now() - started) / 1000;
  await ch.close();
  await conn.close();
  process.stdout.write(JSON.stringify({ published: plan.count, seconds }) + '\n');
}

main().catch((e: unknown) => {
  process.stderr.write(`publisher: ${String(e)}\n`);
  process.exit(1);
});
