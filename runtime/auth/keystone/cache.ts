// A bounded map whose entries end at their own deadline; the least recently used goes first
// when full. Keys are SHA-256 digests of tokens, never tokens.
import { createHash } from 'node:crypto';

export function tokenDigest(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export class ExpiringLru<V> {
  private readonly entries = new Map<string, { value: V; until: number }>();

  constructor(private readonly capacity: number) {}

  get(key: string, now: number): V | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    this.entries.delete(key);
    if (now >= e.until) return undefined;
    this.entries.set(key, e);
    return e.value;
  }

  set(key: string, value: V, until: number, now: number): void {
    this.entries.delete(key);
    if (this.capacity <= 0 || until <= now) return;
    this.entries.set(key, { value, until });
    while (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }
}
