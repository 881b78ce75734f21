// The push-bus seam (centrifuge's broker.go): in scale-out, a node that decoded a notification
// publishes its pushes here, and every node receives the ones addressed to users and projects it
// holds connections for. One implementation per engine the deployment already runs.
import type { Readiness } from '../core/readiness.js';

export interface RoutedPush {
  /**
   * The same on every copy and on a redelivery of the same notification, so receivers drop
   * repeats (one copy per address; a record decoded twice after a crash or rebalance).
   */
  id: string;
  users: string[];
  projects: string[];
  /** The frame's `data`, JSON text. */
  data: string;
}

export interface Audience {
  users: readonly string[];
  projects: readonly string[];
}

export interface PushBusHandlers {
  /** A push for this node: hand it to the hub. */
  deliver(push: RoutedPush): void;
  /** Pushes may have been missed (the node's subscription was lost): the hub tells everyone `reset`. */
  interrupted(why: string): void;
}

export interface PushBus {
  /** `rabbitmq`, `kafka`. */
  readonly kind: string;
  start(handlers: PushBusHandlers): Promise<void>;
  /** Pushes for this audience reach this node from now on; resolves to the release. */
  hold(audience: Audience): Promise<() => void>;
  /** Resolves once the engine has durably taken every one (publisher confirm, Kafka ack). */
  publish(pushes: readonly RoutedPush[]): Promise<void>;
  readiness(): Readiness;
  stop(): Promise<void>;
}
