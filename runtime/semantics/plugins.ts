// Ceilometer's trait plugins (ceilometer/event/trait_plugins.py), each over the non-null matches
// of a trait's path: [path string, value] pairs. Shared by the interpreter and generated code.
import { PyError, type PyValue, makeFloat, pyEquals } from './pyvalue.js';
import { splitPluginValue, bitfieldSet, mapLookup } from './ops.js';
import { isoDeltaSeconds } from './isotime.js';

export type PluginMatch = [path: string, value: PyValue];

/** The trait's raw value: the first non-null plugin result. */
export function firstNonNull(values: readonly PyValue[]): PyValue | undefined {
  for (const v of values) if (v !== null) return v;
  return undefined;
}

export function splitPlugin(matches: readonly PluginMatch[], separator: string | null, segment: number, maxSplit: number | null): PyValue[] {
  return matches.map(([, v]) => splitPluginValue(v, separator, segment, maxSplit));
}

export interface BitfieldFlag {
  path: PyValue;
  bit: number;
  value?: PyValue;
}

/** `initial` is whatever the rule wrote (int, bool, even float): Python's `|=` decides. */
export function bitfieldPlugin(matches: readonly PluginMatch[], initial: PyValue, flags: readonly BitfieldFlag[]): PyValue[] {
  const byPath = new Map(matches);
  let bits: PyValue = initial;
  for (const f of flags) {
    if (typeof f.path !== 'string' || !byPath.has(f.path)) continue;
    if (f.value === undefined || pyEquals(byPath.get(f.path)!, f.value)) bits = bitfieldSet(bits, f.bit);
  }
  return [bits];
}

export function timedeltaPlugin(matches: readonly PluginMatch[]): PyValue[] {
  if (matches.length !== 2) return [null];
  try {
    // timedelta.total_seconds() is a float even for whole seconds: str() gives "86400.0".
    return [makeFloat(Math.abs(isoDeltaSeconds(matches[0]![1], matches[1]![1])))];
  } catch (e) {
    if (e instanceof PyError) return [null];
    throw e;
  }
}

export function mapPlugin(matches: readonly PluginMatch[], values: ReadonlyArray<[PyValue, PyValue]>, defaultValue: PyValue, caseSensitive: boolean): PyValue[] {
  return matches.map(([, v]) => {
    const r = mapLookup(values as Array<[PyValue, PyValue]>, v, caseSensitive);
    return r.found ? r.value : defaultValue;
  });
}
