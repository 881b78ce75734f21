// A minimal RFC 6455 client for the load generator. The `ws` library spends a few µs per frame
// (an event, a Buffer, its receiver state machine) — at 10,000 connections on two cores that made
// the one client process, not the server, what ended a fan-out round. This one reads with net's
// `onread` (into one reused buffer, no stream events), parses frame headers straight from each
// read and hands each payload out as a view of it: the frames a server corks into one write cost
// one read. Every load generator of the bench uses it, for Herald and for Socket.IO alike.
import { createHash, randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';

const OP_CONTINUATION = 0x0;
const OP_TEXT = 0x1;
const OP_CLOSE = 0x8;
const OP_PING = 0x9;
const OP_PONG = 0xa;
const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const HEAD_END = Buffer.from('\r\n\r\n');

export interface RawWsOptions {
  port: number;
  path: string;
  protocol?: string;
  headers?: Record<string, string>;
}

export interface RawWsHandlers {
  /** A text or binary message; `payload` is a view of the received chunk, valid during the call only. */
  message(payload: Buffer, ws: RawWebSocket): void;
  /** Once, with the close frame's code, 1005 for a close frame without one, 1006 when the TCP connection ended without a close frame. */
  close(code: number): void;
}

/** The handshake failed (the server answered something else than 101, or the wrong accept key). */
export class HandshakeError extends Error {}

/** One buffer for every socket's reads: each read is parsed before the next one happens. */
const READ_BUFFER = Buffer.allocUnsafe(256 * 1024);

export class RawWebSocket {
  /** Bytes of an incomplete frame (or of the upgrade response) kept from the previous read. */
  private pending: Buffer | null = null;
  private upgraded = false;
  private closed = false;
  private readonly socket: Socket;
  private readonly key = randomBytes(16).toString('base64');

  constructor(
    options: RawWsOptions,
    private readonly handlers: RawWsHandlers,
    private readonly upgrade: { resolve(ws: RawWebSocket): void; reject(e: Error): void },
  ) {
    this.socket = connect({ host: '127.0.0.1', port: options.port, noDelay: true, onread: { buffer: READ_BUFFER, callback: (n: number, buf: Uint8Array) => this.read(Buffer.from(buf.buffer, buf.byteOffset, n)) } });
    this.socket.on('close', () => this.ended(1006));
    this.socket.on('error', (e) => (this.upgraded ? this.ended(1006) : this.refused(e)));
    const headers = { ...options.headers, ...(options.protocol ? { 'sec-websocket-protocol': options.protocol } : {}) };
    const request = [`GET ${options.path} HTTP/1.1`, `host: 127.0.0.1:${options.port}`, 'upgrade: websocket', 'connection: Upgrade', `sec-websocket-key: ${this.key}`, 'sec-websocket-version: 13', ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
    this.socket.write(`${request.join('\r\n')}\r\n\r\n`);
  }

  /** A masked text frame, as every client frame must be. */
  send(text: string): void {
    this.write(OP_TEXT, Buffer.from(text, 'utf8'));
  }

  /** Stops reading: the kernel buffers fill and the server's backpressure builds up. */
  pause(): void {
    this.socket.pause();
  }

  terminate(): void {
    this.closed = true;
    this.socket.destroy();
  }

  private write(opcode: number, payload: Buffer): void {
    const length = payload.length;
    const extra = length < 126 ? 0 : length < 65536 ? 2 : 8;
    const frame = Buffer.allocUnsafe(2 + extra + 4 + length);
    frame[0] = 0x80 | opcode;
    if (extra === 0) frame[1] = 0x80 | length;
    else if (extra === 2) {
      frame[1] = 0x80 | 126;
      frame.writeUInt16BE(length, 2);
    } else {
      frame[1] = 0x80 | 127;
      frame.writeBigUInt64BE(BigInt(length), 2);
    }
    const maskAt = 2 + extra;
    randomBytes(4).copy(frame, maskAt);
    for (let i = 0; i < length; i++) frame[maskAt + 4 + i] = payload[i]! ^ frame[maskAt + (i & 3)]!;
    this.socket.write(frame);
  }

  private read(chunk: Buffer): true {
    const data = this.pending ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = null;
    let at = 0;
    if (!this.upgraded) {
      const end = data.indexOf(HEAD_END);
      if (end < 0) {
        this.pending = Buffer.from(data);
        return true;
      }
      if (!this.accepted(data.subarray(0, end).toString('latin1'))) return true;
      at = end + HEAD_END.length;
    }
    while (!this.closed) {
      const frame = readFrame(data, at);
      if (frame === 'partial') break;
      if (frame === 'invalid') {
        this.fail(1002);
        return true;
      }
      at = frame.end;
      const payload = data.subarray(frame.start, frame.end);
      if (frame.opcode === OP_CLOSE) {
        this.socket.end();
        this.ended(payload.length >= 2 ? payload.readUInt16BE(0) : 1005);
        return true;
      }
      if (frame.opcode === OP_PING) this.write(OP_PONG, payload);
      else if (frame.opcode !== OP_PONG) this.handlers.message(payload, this);
    }
    // Kept as a copy: the read buffer is overwritten by the next read.
    if (at < data.length && !this.closed) this.pending = Buffer.from(data.subarray(at));
    return true; // keep reading (pause() stops it)
  }

  /** Checks the upgrade response (status 101 and the accept key); refuses the connection otherwise. */
  private accepted(head: string): boolean {
    const accept = createHash('sha1').update(this.key + GUID).digest('base64');
    const [status, ...lines] = head.split('\r\n');
    const ok = /^HTTP\/1\.1 101 /.test(status!) && lines.some((line) => /^sec-websocket-accept:/i.test(line) && line.slice(line.indexOf(':') + 1).trim() === accept);
    if (!ok) {
      this.refused(new HandshakeError(`upgrade refused: ${status}`));
      return false;
    }
    this.upgraded = true;
    this.upgrade.resolve(this);
    return true;
  }

  private refused(e: Error): void {
    this.closed = true;
    this.socket.destroy();
    this.upgrade.reject(e);
  }

  private fail(code: number): void {
    this.socket.destroy();
    this.ended(code);
  }

  private ended(code: number): void {
    if (this.closed) return;
    if (!this.upgraded) return this.refused(new HandshakeError('connection closed during the upgrade'));
    this.closed = true;
    this.handlers.close(code);
  }
}

interface Frame {
  opcode: number;
  start: number;
  end: number;
}

/**
 * The server frame starting at `at`: 'partial' when its bytes have not all arrived, 'invalid' for
 * what a server must not send (a masked frame, a fragment: neither server fragments its frames).
 */
export function readFrame(data: Buffer, at: number): Frame | 'partial' | 'invalid' {
  if (data.length - at < 2) return 'partial';
  const b0 = data[at]!;
  const b1 = data[at + 1]!;
  if ((b0 & 0x80) === 0 || (b0 & 0x0f) === OP_CONTINUATION || (b1 & 0x80) !== 0) return 'invalid';
  let length = b1 & 0x7f;
  let start = at + 2;
  if (length === 126) {
    if (data.length - at < 4) return 'partial';
    length = data.readUInt16BE(at + 2);
    start += 2;
  } else if (length === 127) {
    if (data.length - at < 10) return 'partial';
    length = Number(data.readBigUInt64BE(at + 2));
    start += 8;
  }
  if (data.length < start + length) return 'partial';
  return { opcode: b0 & 0x0f, start, end: start + length };
}

/** Opens a connection: the HTTP upgrade, then frames. Rejects with HandshakeError on anything but a valid 101. */
export function openRawWebSocket(options: RawWsOptions, handlers: RawWsHandlers): Promise<RawWebSocket> {
  return new Promise((resolve, reject) => new RawWebSocket(options, handlers, { resolve, reject }));
}
