#!/usr/bin/env node
// Entry point: runs the TypeScript sources through tsx's loader (no build step after npm ci).
import { register } from 'tsx/esm/api';

// A reader that stops early (`herald decode | head`) is not an error.
process.stdout.on('error', (e) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});
register();
const { main } = await import('../compiler/cli.ts');
process.exitCode = await main(process.argv.slice(2));
