// The JWT key files, read before the verifier is built so each mistake in them (unreadable,
// not JSON, not a key) is a start-up diagnostic naming the file (and line:col for JSON).
import { readFileSync } from 'node:fs';
import { makeVerifier, type Verifier } from './auth.js';
import type { WebSocketConfig } from './config.js';
import { StartupCodes, StartupError } from '../diagnostics/startup.js';

function readKeyFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw StartupError.of(StartupCodes.FileNotFound, path, `cannot read the key file: ${(e as Error).message}`);
  }
}

/** JSON.parse's complaint, placed at the offset V8 names ("at position N") when it does. */
function checkJson(path: string, text: string): void {
  try {
    JSON.parse(text);
  } catch (e) {
    const message = (e as Error).message;
    const at = /at position (\d+)/.exec(message);
    const words = `not JSON: ${message.replace(/\s*(in JSON )?at position \d+.*$/, '')}`;
    throw at ? StartupError.at(StartupCodes.BadKeyFile, path, text, Number(at[1]), words) : StartupError.at(StartupCodes.BadKeyFile, path, text, text.length, words);
  }
}

/** The token verifier for this configuration; a bad key file stops the start with one line. */
export async function loadVerifier(ws: WebSocketConfig, devSecret: string | undefined): Promise<Verifier> {
  const file = ws.jwtJwksFile ?? ws.jwtPublicKeyFile;
  if (file !== null) {
    const text = readKeyFile(file);
    if (ws.jwtJwksFile) checkJson(file, text);
  }
  try {
    const verify = await makeVerifier(ws, devSecret);
    if (!verify) throw new Error('no key configured');
    return verify;
  } catch (e) {
    if (e instanceof StartupError) throw e;
    const what = ws.jwtJwksFile ? 'not a usable JWKS' : ws.jwtPublicKeyFile ? 'not a usable PEM public key' : 'no usable key';
    throw StartupError.of(StartupCodes.BadKeyFile, file ?? 'configuration', `${what}: ${(e as Error).message.split('\n')[0]}`);
  }
}
