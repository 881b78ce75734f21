// At-least-once bookkeeping for one partition: records are taken in offset order and settle in
// any order; the offset that may be committed is the first one not yet settled (Kafka commits
// "the next record to read"), so nothing unsettled is ever skipped by a commit.
export class PartitionOffsets {
  private readonly offsets: bigint[] = [];
  private readonly settled = new Set<bigint>();
  private head = 0;
  private next: bigint | null = null;

  /** A record was handed to the handler. */
  take(offset: bigint): void {
    this.offsets.push(offset);
  }

  settle(offset: bigint): void {
    this.settled.add(offset);
  }

  /** Records taken and not settled. */
  get unsettled(): number {
    return this.offsets.length - this.head - this.settled.size;
  }

  /** The offset to commit now (advanced past every settled prefix), or null when nothing was taken. */
  committable(): bigint | null {
    while (this.head < this.offsets.length && this.settled.has(this.offsets[this.head]!)) {
      const o = this.offsets[this.head++]!;
      this.settled.delete(o);
      this.next = o + 1n;
    }
    if (this.head > 1024 && this.head * 2 > this.offsets.length) {
      this.offsets.splice(0, this.head);
      this.head = 0;
    }
    return this.next;
  }
}
