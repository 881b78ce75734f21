// The oracle of a fault run. oslo.messaging 14 publishes notifications without publisher confirms,
// so a message written to a node at the instant it dies can vanish before any queue has it; that
// loss is the publisher's, not Herald's. The notifier's own queue (`<topic>.info`, declared by oslo,
// a quorum queue too) is the witness of what the cluster accepted; Herald must push every one of those.
import amqplib from 'amqplib';

export interface OracleFigures {
  fault: string;
  published: number;
  /** Accepted by the cluster: found in the notifier's own queue afterwards. */
  accepted: number;
  /** Per WebSocket connection: distinct notifications pushed, and pushes seen twice. */
  pushed: number[];
  duplicates: number[];
  /** Accepted by the cluster but never pushed to some connection: must be 0. */
  missing: number;
  queueReady: number;
  queueUnacked: number;
  /** Fault -> first push of a notification published after the fault. */
  recoverySeconds: number;
  /** Extra figures of one fault (e.g. time from quorum back to the first push). */
  extra: Record<string, number | string>;
}

/** Reads the witness queue to the end (and deletes it): the sequence numbers it holds. */
export async function drainWitness(amqpUrl: string, queue: string): Promise<Set<number>> {
  const conn = await amqplib.connect(amqpUrl);
  const seen = new Set<number>();
  try {
    const ch = await conn.createChannel();
    for (let i = 0; i < 1_000_000; i++) {
      const m = await ch.get(queue, { noAck: true });
      if (!m) break;
      const outer = JSON.parse(m.content.toString()) as { 'oslo.message': string };
      const inner = JSON.parse(outer['oslo.message']) as { payload: { _seq: number } };
      seen.add(inner.payload._seq);
    }
    await ch.deleteQueue(queue);
    await ch.close();
  } finally {
    await conn.close();
  }
  return seen;
}

export function duplicatesOf(seqs: number[]): number {
  return seqs.length - new Set(seqs).size;
}

export function missingOf(accepted: Set<number>, perConnection: number[][]): number {
  let missing = 0;
  for (const seqs of perConnection) {
    const got = new Set(seqs);
    for (const s of accepted) if (!got.has(s)) missing++;
  }
  return missing;
}

/** Arrival of the first push of a notification sent at or after `since` (epoch ms), minus `since`. */
export function firstPushAfter(pushes: Array<[number, number, number]>, since: number): number {
  let first = Infinity;
  for (const [, sent, received] of pushes) if (sent >= since && received < first) first = received;
  return (first - since) / 1000;
}

export function printFigures(f: OracleFigures): void {
  const extra = Object.entries(f.extra).map(([k, v]) => ` ${k}=${typeof v === 'number' && !Number.isInteger(v) ? v.toFixed(2) : v}`).join('');
  process.stderr.write(
    `ORACLE ${f.fault}: published=${f.published} accepted=${f.accepted} pushed=${f.pushed.join('/')} duplicates=${f.duplicates.join('/')} missing=${f.missing} ` +
      `queue_ready=${f.queueReady} queue_unacked=${f.queueUnacked} recovery_s=${f.recoverySeconds.toFixed(2)}${extra}\n`,
  );
}
