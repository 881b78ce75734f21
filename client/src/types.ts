// The few shapes the client needs from its surroundings, so it runs in browsers and in Node
// (where tests inject `ws`, a fake socket, a manual clock and a scripted environment).

/** The subset of the browser WebSocket the client uses. */
export interface SocketLike {
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
}

export type SocketConstructor = new (url: string, protocol: string) => SocketLike;

export interface Clock {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  now(): number;
}

/** What the client hears from the page: connectivity and visibility. */
export interface EnvironmentEvents {
  online(): void;
  offline(): void;
  visible(): void;
}

export interface Environment {
  /** Starts reporting; returns the function that stops. */
  watch(events: EnvironmentEvents): () => void;
}

export type State = 'idle' | 'connecting' | 'connected' | 'disconnected';

export interface StateChange {
  state: State;
  /** Close code of the socket that went (disconnected only): 1006 also for a liveness timeout and going offline, 0 when no socket could be made. */
  code?: number;
  reason?: string;
  /** Whether the client will reconnect by itself (disconnected only). */
  willRetry?: boolean;
  /** When it will, after how many ms. */
  delayMs?: number;
}

/** The seed's frame shape (rules/settings.ini): what the portal routes on. */
export interface PushData {
  message_type?: string;
  message_event?: string;
  [key: string]: unknown;
}

export interface PushMeta {
  seq: number;
  epoch: string | null;
  /** The rule that produced it (settings.ini:line:col), when the gateway sends it. */
  rule?: string;
}
