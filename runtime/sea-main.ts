// The single executable's entry: `herald serve` and `herald token` with the rules compiled in.
import { serveMain, tokenMain } from './main.js';
import { UsageError } from './cli/flags.js';

const USAGE = 'usage: herald serve [--config FILE] | herald token --sub USER [--projects P1,P2] [--config FILE]\n';

async function run(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  switch (cmd) {
    case 'serve':
      return serveMain(rest);
    case 'token':
      return tokenMain(rest);
    case '--help':
    case '-h':
      process.stdout.write(USAGE);
      return 0;
    default:
      process.stderr.write(cmd === undefined ? USAGE : `herald: '${cmd}' is not in the single executable (it serves compiled rules; use the repository's herald to compile)\n${USAGE}`);
      return 2;
  }
}

run(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    if (e instanceof UsageError) {
      process.stderr.write(`${e.message}\n${USAGE}`);
      process.exitCode = 2;
      return;
    }
    process.stderr.write(`herald: ${(e as Error).stack ?? String(e)}\n`);
    process.exitCode = 1;
  },
);
