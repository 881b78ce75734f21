// The WebSocket protocol (websocket.md) as types: every frame the server sends is built here,
// every frame a client sends is read here, and every close code is in one table.

/** Offered by the client, answered by the server (v2 preferred; v1 clients get the same frames). */
export const SUBPROTOCOLS = ['herald.v2', 'herald.v1'] as const;
export type Subprotocol = (typeof SUBPROTOCOLS)[number];

export interface ReadyFrame {
  type: 'ready';
  user: string;
  /** The stream's epoch: names this user's stream for exactly these projects on this node. */
  epoch: string;
  seq: number;
  resumed: boolean;
  /** The projects this connection hears (its credential's, sorted). */
  projects: readonly string[];
}

export interface PushFrame {
  type: 'push';
  seq: number;
  data: unknown;
}

export interface ResetFrame {
  type: 'reset';
  reason: string;
}

export type ErrorCode = 'auth_failed' | 'token_expired' | 'auth_unavailable' | 'bad_frame' | 'too_many_connections';

export interface ErrorFrame {
  type: 'error';
  code: ErrorCode;
  message: string;
}

export type ServerFrame = ReadyFrame | PushFrame | ResetFrame | ErrorFrame | { type: 'pong' };

export const readyFrame = (f: Omit<ReadyFrame, 'type'>): string => JSON.stringify({ type: 'ready', user: f.user, epoch: f.epoch, seq: f.seq, resumed: f.resumed, projects: f.projects } satisfies ReadyFrame);
/** `data` is JSON text already (the output's traits), spliced in without re-encoding. */
/** `rule` (settings.ini:line:col of the transformer entry) is sent by an embedded gateway only, for its console. */
export const pushFrame = (seq: number, data: string, rule?: string): string => pushFrameWith(seq, pushTail(data, rule));
/** What follows the seq in a push frame: the same for every stream a push reaches, so it is made once. */
export const pushTail = (data: string, rule?: string): string => (rule === undefined ? `,"data":${data}}` : `,"rule":${JSON.stringify(rule)},"data":${data}}`);
export const pushFrameWith = (seq: number, tail: string): string => `{"type":"push","seq":${seq}${tail}`;
export const resetFrame = (reason: string): string => JSON.stringify({ type: 'reset', reason } satisfies ResetFrame);
export const errorFrame = (code: ErrorCode, message: string): string => JSON.stringify({ type: 'error', code, message } satisfies ErrorFrame);
export const PONG = '{"type":"pong"}';

export interface ResumeFrom {
  epoch: string;
  seq: number;
}

export type ClientFrame = { type: 'auth'; token: string; resume: ResumeFrom | null } | { type: 'auth'; token: null } | { type: 'ping' } | { type: 'unknown' };

/** A client's text frame, read without trusting any of it. */
export function readClientFrame(text: string): ClientFrame {
  let frame: unknown;
  try {
    frame = JSON.parse(text);
  } catch {
    return { type: 'unknown' };
  }
  if (!frame || typeof frame !== 'object') return { type: 'unknown' };
  const f = frame as { type?: unknown; token?: unknown; resume?: unknown };
  if (f.type === 'ping') return { type: 'ping' };
  if (f.type !== 'auth') return { type: 'unknown' };
  if (typeof f.token !== 'string') return { type: 'auth', token: null };
  let resume: ResumeFrom | null = null;
  if (f.resume && typeof f.resume === 'object') {
    const r = f.resume as { epoch?: unknown; seq?: unknown };
    if (typeof r.epoch === 'string' && typeof r.seq === 'number') resume = { epoch: r.epoch, seq: r.seq };
  }
  return { type: 'auth', token: f.token, resume };
}

/** Every close the server makes: the code and the words sent with it. */
export const CLOSE = {
  shutdown: { code: 1001, reason: 'server shutting down' },
  frameTooBig: { code: 1009, reason: 'frame over max_frame_bytes' },
  authUnavailable: { code: 1013, reason: 'authentication unavailable: try again later' },
  authFailed: { code: 4001, reason: 'authentication failed' },
  badFrames: { code: 4002, reason: 'repeated bad frames' },
  tokenExpired: { code: 4003, reason: 'token expired: authenticate again and resume' },
  tooManyConnections: { code: 4008, reason: 'more than max_connections_per_user' },
  slowConsumer: { code: 4009, reason: 'slow consumer: resume to catch up' },
} as const satisfies Record<string, { code: number; reason: string }>;

export type CloseKind = keyof typeof CLOSE;

/** The close that follows an authentication refusal. */
export function closeForAuth(code: 'auth_failed' | 'token_expired' | 'auth_unavailable'): CloseKind {
  return code === 'token_expired' ? 'tokenExpired' : code === 'auth_unavailable' ? 'authUnavailable' : 'authFailed';
}
