// Kept for existing importers: logging lives in runtime/core/log.ts.
export { makeLogger, type Logger } from '../core/log.js';
