// Source files and spans live one layer down (the runtime reports positions too).
export * from '../runtime/diagnostics/source.js';
