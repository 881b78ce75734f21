// uWebSockets.js inside the single executable: the native addon travels as an SEA asset, is
// written once into a private directory (HERALD_NATIVE_DIR, default $TMPDIR/herald-native-<uid>)
// under a name that carries its hash, and is loaded with process.dlopen. The bundler maps the
// 'uWebSockets.js' import here; outside the executable the package is used as it is.
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, lstatSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getAsset } from 'node:sea';

function privateDir(): string {
  const uid = process.getuid?.() ?? 0;
  const dir = process.env.HERALD_NATIVE_DIR ?? join(tmpdir(), `herald-native-${uid}`);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const st = lstatSync(dir);
  // Someone else's directory, a symlink, or one others can write: never load code from it.
  if (!st.isDirectory() || st.uid !== uid || (st.mode & 0o022) !== 0) throw new Error(`${dir}: not a private directory of this user (set HERALD_NATIVE_DIR to one)`);
  return dir;
}

function load(): unknown {
  const bytes = new Uint8Array(getAsset('uws.node'));
  const hash = createHash('sha256').update(bytes).digest('hex').slice(0, 16);
  const dir = privateDir();
  const path = join(dir, `uws-${hash}.node`);
  if (!existsSync(path)) {
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, bytes, { mode: 0o500 });
    chmodSync(tmp, 0o500);
    renameSync(tmp, path);
  }
  const module = { exports: {} as Record<string, unknown> };
  process.dlopen(module, path);
  return module.exports;
}

export default load();
