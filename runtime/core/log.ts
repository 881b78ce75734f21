// Structured logs: pino, JSON lines on stderr (stdout stays free for command output). Neutral
// ground: every runtime folder may log without importing the gateway.
import pino from 'pino';

export type Logger = pino.Logger;

export function makeLogger(level = process.env.HERALD_LOG_LEVEL ?? 'info'): Logger {
  return pino({ level, base: { service: 'herald' } }, pino.destination({ fd: 2, sync: false }));
}
