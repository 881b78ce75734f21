// The JWT key files, read before the authenticator is built so each mistake in them (unreadable,
// not JSON, not a key) is a start-up diagnostic naming the file (and line:col for JSON).
import { readFileSync } from 'node:fs';
import { StartupCodes, StartupError } from '../../diagnostics/startup.js';
import type { Authenticator } from '../authenticator.js';
import { makeJwtAuthenticator, type JwtKeys } from './jwt.js';

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
    throw StartupError.at(StartupCodes.BadKeyFile, path, text, at ? Number(at[1]) : text.length, words);
  }
}

/** The JWT authenticator for these keys; a bad key file stops the start with one line. */
export async function loadJwtAuthenticator(keys: JwtKeys): Promise<Authenticator> {
  const file = keys.jwksFile ?? keys.publicKeyFile;
  if (file !== null) {
    const text = readKeyFile(file);
    if (keys.jwksFile) checkJson(file, text);
  }
  try {
    const a = await makeJwtAuthenticator(keys);
    if (!a) throw new Error('no key configured');
    return a;
  } catch (e) {
    if (e instanceof StartupError) throw e;
    const what = keys.jwksFile ? 'not a usable JWKS' : keys.publicKeyFile ? 'not a usable PEM public key' : 'no usable key';
    throw StartupError.of(StartupCodes.BadKeyFile, file ?? 'configuration', `${what}: ${(e as Error).message.split('\n')[0]}`);
  }
}
