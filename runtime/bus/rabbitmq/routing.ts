// The pure half of the RabbitMQ push bus: routing keys for addresses, the messages one push
// becomes, and reference counts deciding when a node's queue needs a binding and when not.
import type { RoutedPush } from '../push-bus.js';

// Ids base64url-encoded, so `.`, `*` and `#` in an id stay literal in a topic exchange.
export const userKey = (id: string): string => `u.${Buffer.from(id).toString('base64url')}`;
export const projectKey = (id: string): string => `p.${Buffer.from(id).toString('base64url')}`;

export interface BusMessage {
  routingKey: string;
  body: Buffer;
}

/** One message per distinct address, the same body (and id) on each: receivers drop repeats. */
export function routedMessages(p: RoutedPush): BusMessage[] {
  const body = Buffer.from(JSON.stringify({ id: p.id, users: p.users, projects: p.projects, data: p.data } satisfies RoutedPush));
  return [...new Set([...p.users.map(userKey), ...p.projects.map(projectKey)])].map((routingKey) => ({ routingKey, body }));
}

/** A received body, or null when it is not a push (logged by the caller, never delivered). */
export function readRoutedPush(body: Buffer): RoutedPush | null {
  let v: unknown;
  try {
    v = JSON.parse(body.toString('utf8'));
  } catch {
    return null;
  }
  const p = v as Partial<RoutedPush> | null;
  const strings = (x: unknown): x is string[] => Array.isArray(x) && x.every((s) => typeof s === 'string');
  if (!p || typeof p.id !== 'string' || !strings(p.users) || !strings(p.projects) || typeof p.data !== 'string') return null;
  return { id: p.id, users: p.users, projects: p.projects, data: p.data };
}

/** The binding keys an audience needs. */
export function keysOf(users: readonly string[], projects: readonly string[]): string[] {
  return [...new Set([...users.map(userKey), ...projects.map(projectKey)])];
}

/** How many held audiences need each key: the first hold binds, the last release unbinds. */
export class BindingCounts {
  private readonly counts = new Map<string, number>();

  /** Counts the keys in; returns those that were not needed before (to bind). */
  hold(keys: readonly string[]): string[] {
    const fresh: string[] = [];
    for (const k of keys) {
      const n = (this.counts.get(k) ?? 0) + 1;
      this.counts.set(k, n);
      if (n === 1) fresh.push(k);
    }
    return fresh;
  }

  /** Counts the keys out; returns those no audience needs any more (to unbind). */
  release(keys: readonly string[]): string[] {
    const gone: string[] = [];
    for (const k of keys) {
      const n = (this.counts.get(k) ?? 0) - 1;
      if (n > 0) this.counts.set(k, n);
      else if (this.counts.delete(k)) gone.push(k);
    }
    return gone;
  }

  /** Every key currently needed (rebound after a reconnection). */
  keys(): string[] {
    return [...this.counts.keys()];
  }
}
