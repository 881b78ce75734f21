// Who a websocket.send output is for. The audience's KIND comes from the template key the rule
// author wrote (`toid` = users, `toproject` = projects), never from the value: a value is an id
// taken verbatim, so notification data cannot turn a user address into a project address.
import type { PyValue } from './pyvalue.js';

export type AddressKind = 'user' | 'project';

/** websocket.send's address keys and the kind of audience each names. */
export const WEBSOCKET_ADDRESSES: Readonly<Record<string, AddressKind>> = { toid: 'user', toproject: 'project' };

export interface Audience {
  users: string[];
  projects: string[];
}

/**
 * The ids one address key holds: a string or a list of them, verbatim (no prefix is read);
 * ints are written in decimal; null, '', bools, floats, dicts and nested lists address nobody.
 */
export function addressIds(v: PyValue | undefined): string[] {
  const out: string[] = [];
  const items = Array.isArray(v) ? v : v === undefined ? [] : [v];
  for (const id of items) {
    if (typeof id === 'string') {
      if (id !== '') out.push(id);
    } else if (typeof id === 'bigint' || (typeof id === 'number' && Number.isInteger(id))) out.push(String(id));
  }
  return out;
}

/** The audience of an output's traits (a template dict), by address key. */
export function audienceOf(traits: ReadonlyMap<string, PyValue>, keys: Readonly<Record<string, AddressKind>> = WEBSOCKET_ADDRESSES): Audience {
  const audience: Audience = { users: [], projects: [] };
  for (const [key, kind] of Object.entries(keys)) {
    const ids = addressIds(traits.get(key));
    if (ids.length) (kind === 'user' ? audience.users : audience.projects).push(...ids);
  }
  return audience;
}

/** The frame's `data`: the traits without the address keys. */
export function withoutAddresses(traits: ReadonlyMap<string, PyValue>, keys: Readonly<Record<string, AddressKind>> = WEBSOCKET_ADDRESSES): Map<string, PyValue> {
  const data = new Map(traits);
  for (const key of Object.keys(keys)) data.delete(key);
  return data;
}
