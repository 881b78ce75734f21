#!/usr/bin/env -S node --max-semi-space-size=4
// Entry point: runs the TypeScript sources through tsx's loader (no build step after npm ci). The
// shebang's V8 flags are runtime/core/node-flags.ts's (why there).
import { register } from 'tsx/esm/api';

// A reader that stops early (`herald decode | head`) is not an error.
process.stdout.on('error', (e) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});
register();
const argv = process.argv.slice(2);
// Serving generated/ (and minting a token) needs no compiler: it stays unloaded, and with it
// TypeScript and ts-morph (tens of MiB of a gateway's resident memory).
const runtimeOnly = argv[0] === 'token' || (argv[0] === 'serve' && !argv.some((a) => a === '--rules' || a.startsWith('--rules=')));
const { main, runtimeMain } = runtimeOnly ? await import('../runtime/main.ts') : await import('../compiler/cli.ts');
process.exitCode = await (runtimeMain ?? main)(argv);
