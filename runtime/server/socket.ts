// One socket's state, kept in uWS's upgrade user data (websocket.md §6: a socket used after it
// closed crashes the process, so every use after an await checks `closed`), and the part of a
// uWS WebSocket the server uses, so the lifecycle can be driven by a fake socket in unit tests.
import type { Routed } from '../auth/router.js';
import type { Connection } from '../hub/hub.js';

export interface SocketData {
  closed: boolean;
  /** uWS reported the close: the socket object must not be touched any more. */
  gone: boolean;
  state: 'pending' | 'authenticating' | 'ready';
  /** A credential from the upgrade headers, already checked (the token is kept for `watch` only). */
  preAuth: { routed: Routed; token: string } | null;
  /** In the hub once admitted; its `user` is the socket's user from then on. */
  conn: Connection | null;
  /** Scale-out: gives back the push bindings this socket holds. */
  release: (() => void) | null;
  /** Stops the authenticator watching this socket's token (revocation). */
  unwatch: (() => void) | null;
  badFrames: number;
  /** Closed for backpressure: its 4009 waits for the backlog to drain. */
  slowClosing: boolean;
  /**
   * The one deadline a socket can have: the auth frame's (pending; cleared once admitted) or, once
   * closed for backpressure, the grace before the socket is dropped. Expiry is ExpiryWatch's.
   */
  deadline: NodeJS.Timeout | null;
}

/** Arms the socket's one deadline, replacing any it had; the slot is empty again once it fires. */
export function armDeadline(d: SocketData, ms: number, onDue: () => void): void {
  clearDeadline(d);
  d.deadline = setTimeout(() => {
    d.deadline = null;
    onDue();
  }, ms);
}

export function clearDeadline(d: SocketData): void {
  if (d.deadline) clearTimeout(d.deadline);
  d.deadline = null;
}

// uWS copies these fields onto its WebSocket object: each one is a slot in every connection.
export function newSocketData(preAuth: SocketData['preAuth']): SocketData {
  return { closed: false, gone: false, state: 'pending', preAuth, conn: null, release: null, unwatch: null, badFrames: 0, slowClosing: false, deadline: null };
}

export interface Sock {
  getUserData(): SocketData;
  /** 0: buffered (backpressure), 1: written, 2: dropped. */
  send(message: string, isBinary?: boolean, compress?: boolean): number;
  end(code?: number, reason?: string): void;
  close(): void;
  cork(cb: () => void): unknown;
  getBufferedAmount(): number;
}

/** What the server reports (the gateway turns these into metrics and logs; labels are codes). */
export interface ServerEvents {
  /** A socket or upgrade refused, by code (auth_failed, token_expired, auth_unavailable, origin_refused, token_in_query, …). */
  refused(code: string): void;
  slowClosed(user: string | undefined, why: string): void;
  connected(): void;
  disconnected(): void;
  replay(outcome: 'resumed' | 'reset'): void;
}
