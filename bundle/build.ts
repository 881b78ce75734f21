// `npm run bundle` -> dist/herald: a Node single executable application. esbuild bundles the
// runtime (with generated/ inside) into one CommonJS file, the uWebSockets.js native addon rides
// along as an SEA asset (runtime/native/uws-sea.ts loads it), and postject writes the blob into a
// copy of this Node binary.
import { build } from 'esbuild';
import { chmodSync, copyFileSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(ROOT, 'dist');
const WORK = join(OUT, 'build');
const require = createRequire(import.meta.url);

async function main(): Promise<void> {
  const started = performance.now();
  mkdirSync(WORK, { recursive: true });
  const addon = join(ROOT, 'node_modules', 'uWebSockets.js', 'binaries', `uws_${process.platform}_${process.arch}_${process.versions.modules}.node`);
  statSync(addon);
  await build({
    entryPoints: [join(ROOT, 'runtime', 'sea-main.ts')],
    outfile: join(WORK, 'herald.cjs'),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    minifySyntax: true,
    legalComments: 'none',
    logLevel: 'warning',
    plugins: [
      {
        name: 'uws-from-sea-asset',
        setup(b) {
          b.onResolve({ filter: /^uWebSockets\.js$/ }, () => ({ path: join(ROOT, 'runtime', 'native', 'uws-sea.ts') }));
        },
      },
    ],
  });
  const seaConfig = { main: join(WORK, 'herald.cjs'), output: join(WORK, 'sea.blob'), disableExperimentalSEAWarning: true, assets: { 'uws.node': addon } };
  writeFileSync(join(WORK, 'sea-config.json'), JSON.stringify(seaConfig, null, 2));
  execFileSync(process.execPath, ['--experimental-sea-config', join(WORK, 'sea-config.json')], { stdio: 'inherit' });
  const exe = join(OUT, 'herald');
  copyFileSync(process.execPath, exe);
  chmodSync(exe, 0o755);
  const { inject } = require('postject') as { inject: (file: string, name: string, data: Buffer, opts: { sentinelFuse: string }) => Promise<void> };
  await inject(exe, 'NODE_SEA_BLOB', readFileSync(join(WORK, 'sea.blob')), { sentinelFuse: 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2' });
  const mb = (statSync(exe).size / 1024 / 1024).toFixed(1);
  process.stderr.write(`herald: wrote ${exe} (${mb} MiB) in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`bundle: ${(e as Error).stack ?? String(e)}\n`);
  process.exitCode = 1;
});
