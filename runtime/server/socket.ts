// One socket's state, kept in uWS's upgrade user data (websocket.md §6: a socket used after it
// closed crashes the process, so every use after an await checks `closed`), and the part of a
// uWS WebSocket the server uses, so the lifecycle can be driven by a fake socket in unit tests.
import type { Identity } from '../auth/authenticator.js';
import type { Routed } from '../auth/router.js';
import type { Connection } from '../hub/hub.js';

export interface SocketData {
  closed: boolean;
  /** uWS reported the close: the socket object must not be touched any more. */
  gone: boolean;
  state: 'pending' | 'authenticating' | 'ready';
  /** A credential from the upgrade headers, already checked (the token is kept for `watch` only). */
  preAuth: { routed: Routed; token: string } | null;
  identity: Identity | null;
  conn: Connection | null;
  /** Scale-out: gives back the push bindings this socket holds. */
  release: (() => void) | null;
  /** Stops the authenticator watching this socket's token (revocation). */
  unwatch: (() => void) | null;
  expiry: NodeJS.Timeout | null;
  badFrames: number;
  /** Closed for backpressure: its 4009 waits for the backlog to drain. */
  slowClosing: boolean;
  timers: NodeJS.Timeout[];
}

export function newSocketData(preAuth: SocketData['preAuth']): SocketData {
  return { closed: false, gone: false, state: 'pending', preAuth, identity: null, conn: null, release: null, unwatch: null, expiry: null, badFrames: 0, slowClosing: false, timers: [] };
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
