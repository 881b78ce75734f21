// What the compiler says a definition reads: conservative wherever a path leaves plain key steps.
import { describe, expect, it } from 'vitest';
import { loadDefinitions } from '../../compiler/check/definitions.js';
import { definitionReads } from '../../compiler/emit/reads.js';
import { messageReads, type ReadTree } from '../../runtime/semantics/reads.js';

function readsOf(traits: string): ReadTree {
  const yaml = `- event_type: x.y\n  traits:\n${traits}`;
  const { rules } = loadDefinitions('t.yaml', yaml);
  if (!rules) throw new Error('rules do not load');
  return definitionReads(rules.definitions[0]!);
}

/** A tree as plain data, for toEqual. */
function plain(t: ReadTree): unknown {
  return typeof t === 'object' ? Object.fromEntries([...t].map(([k, v]) => [k, plain(v)])) : t;
}

const trait = (name: string, fields: string, type = 'text') => `    ${name}:\n      type: ${type}\n      fields: ${JSON.stringify(fields)}\n`;

describe('definition read trees', () => {
  it('plain key paths become a tree; the default traits are in it', () => {
    const t = plain(readsOf(trait('a', 'payload.server.name') + trait('b', 'payload.server.id')));
    expect(t).toMatchObject({ payload: { server: { name: true, id: true } }, publisher_id: true, ctxt: { request_id: true } });
  });

  it('a value read whole by one trait is read whole, whatever another reads below it', () => {
    expect(plain(readsOf(trait('m', 'payload.memory_mb', 'int')))).toMatchObject({ payload: { memory_mb: true } });
    expect(plain(readsOf(trait('m', 'payload.a', 'float') + trait('t', 'payload.a.b', 'int')))).toMatchObject({ payload: { a: true } });
    expect(plain(readsOf(trait('t', 'payload.a.b') + trait('m', 'payload.a', 'float')))).toMatchObject({ payload: { a: true } });
  });

  it('wildcards, filters, indexes, operators and `..` read the whole value where they start', () => {
    expect(plain(readsOf(trait('a', 'payload.list[0].x')))).toMatchObject({ payload: { list: true } });
    expect(plain(readsOf(trait('a', 'payload.*')))).toMatchObject({ payload: true });
    expect(plain(readsOf(trait('a', "payload.meta[?(@.key = 'image_id')].value")))).toMatchObject({ payload: { meta: true } });
    expect(plain(readsOf(trait('a', 'payload..id')))).toMatchObject({ payload: true });
    expect(plain(readsOf(trait('a', 'payload.host.`split(., 0, -1)`')))).toMatchObject({ payload: { host: true } });
  });

  it('a parent step or a `$` past the start reads the whole body', () => {
    expect(readsOf(trait('a', 'payload.a.`parent`.b'))).toBe(true);
    expect(readsOf(trait('a', '$.payload.a'))).not.toBe(true);
    expect(readsOf(trait('a', 'payload.a.`this`.b'))).not.toBe(true);
  });

  it('body reads become the wire dict\'s keys: ctxt.<k> is _context_<k>', () => {
    const m = messageReads(readsOf(trait('a', 'payload.x') + trait('b', 'ctxt.roles')));
    expect(m).not.toBeNull();
    expect(m!.context).toEqual(expect.arrayContaining([['_context_roles', true], ['_context_request_id', true]]));
    expect(messageReads(readsOf(trait('a', 'ctxt.*')))!.context).toBe(true);
  });
});
