// Shared test helpers: the shared samples, canonical comparison of result lines.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { parsePyJson, dumpPyJson } from '../runtime/semantics/pyjson.js';
import type { PyValue } from '../runtime/semantics/pyvalue.js';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const SHARED = join(ROOT, '..', 'shared');
export const SAMPLES = join(SHARED, 'samples');

export function readLines(path: string): string[] {
  return readFileSync(path, 'utf8').split('\n').filter((l) => l.trim() !== '');
}

/**
 * A result line in canonical form: Python-faithful parse (1.0 stays a float), sorted keys,
 * and the text of `reason`/`error` (and the diagnostic `stage` and `rule`) blanked, as the contract says.
 */
export function canonicalResult(line: string): string {
  const v = parsePyJson(line) as Map<string, PyValue>;
  if (v.has('reason')) v.set('reason', '*');
  if (v.has('error')) v.set('error', '*');
  v.delete('stage');
  v.delete('rule');
  return dumpPyJson(v);
}

