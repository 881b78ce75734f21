// The hub on its own (no sockets, an injected clock): per-connection scope, one seq per stream,
// resume and reset per stream, forgetting, and repeated push ids dropped.
import { describe, expect, it } from 'vitest';
import { Hub, scopeOf, type Connection, type HubLimits } from '../../runtime/hub/hub.js';
import { RecentIds } from '../../runtime/core/recent-ids.js';

interface Tab extends Connection {
  frames: Array<{ type: string; seq?: number; data?: { n: number }; reason?: string }>;
  ns(): number[];
  seqs(): number[];
}

function tab(user: string): Tab {
  const frames: Tab['frames'] = [];
  return {
    user,
    frames,
    send: (f) => void frames.push(JSON.parse(f) as Tab['frames'][number]),
    ns: () => frames.filter((f) => f.type === 'push').map((f) => f.data!.n),
    seqs: () => frames.filter((f) => f.type === 'push').map((f) => f.seq!),
  };
}

function setup(limits: Partial<HubLimits> = {}) {
  let clock = 1_000_000;
  const hub = new Hub({ replaySize: 4, replaySeconds: 60, ...limits }, () => clock, 'E');
  let n = 0;
  const push = (to: { users?: string[]; projects?: string[] }, id: string | null = null) => hub.deliver({ id, users: to.users ?? [], projects: to.projects ?? [], data: JSON.stringify({ n: ++n }) });
  return { hub, push, advance: (ms: number) => (clock += ms), last: () => n };
}

describe('hub: per-connection scope', () => {
  it('two tabs of one user scoped [A] and [B]: a push to project B reaches only the second; a push to the user reaches both', () => {
    const { hub, push } = setup();
    const a = tab('u');
    const b = tab('u');
    hub.attach(a, ['A']);
    hub.attach(b, ['B']);
    push({ projects: ['B'] });
    push({ projects: ['A'] });
    push({ users: ['u'] });
    expect(a.ns()).toEqual([2, 3]);
    expect(b.ns()).toEqual([1, 3]);
    // Each tab's seq has no holes: gap detection holds per connection.
    expect(a.seqs()).toEqual([1, 2]);
    expect(b.seqs()).toEqual([1, 2]);
  });

  it('after the [A] tab reconnects with [A, B] it hears both, and the [B] tab still only B', () => {
    const { hub, push } = setup();
    const a = tab('u');
    const b = tab('u');
    hub.attach(a, ['A']);
    hub.attach(b, ['B']);
    hub.detach(a);
    const ab = tab('u');
    hub.attach(ab, ['B', 'A']);
    push({ projects: ['A'] });
    push({ projects: ['B'] });
    expect(ab.ns()).toEqual([1, 2]);
    expect(b.ns()).toEqual([2]);
    expect(a.ns()).toEqual([]);
  });

  it('a fresh credential with fewer projects narrows that connection, not the user', () => {
    const { hub, push } = setup();
    const c = tab('u');
    const other = tab('u');
    hub.attach(c, ['A', 'B']);
    hub.attach(other, ['A', 'B']);
    push({ projects: ['B'] });
    const moved = hub.attach(c, ['A']);
    expect(moved).toEqual({ epoch: expect.stringMatching(/^E\./), seq: 0, projects: ['A'] });
    push({ projects: ['B'] });
    push({ projects: ['A'] });
    expect(c.ns()).toEqual([1, 3]);
    expect(other.ns()).toEqual([1, 2, 3]);
    expect(hub.connectionCount('u')).toBe(2);
  });

  it('tabs with the same scope share one stream: the same push with the same seq on each', () => {
    const { hub, push } = setup();
    const x = tab('u');
    const y = tab('u');
    const p1 = hub.attach(x, ['B', 'A', 'A']);
    push({ users: ['u'] });
    const p2 = hub.attach(y, ['A', 'B']);
    expect(p2.epoch).toBe(p1.epoch);
    expect(p2.seq).toBe(1);
    push({ projects: ['A'], users: ['u'] });
    expect(x.seqs()).toEqual([1, 2]);
    expect(y.seqs()).toEqual([2]);
    expect(hub.streamCount()).toBe(1);
  });

  it('a push addressed to a user and several of its projects reaches each stream once', () => {
    const { hub, push } = setup();
    const c = tab('u');
    hub.attach(c, ['A', 'B']);
    push({ users: ['u', 'u'], projects: ['A', 'B', 'A'] });
    expect(c.seqs()).toEqual([1]);
    expect(hub.stats.frames).toBe(1);
  });

  it('other users never hear a user push; project members only their projects', () => {
    const { hub, push } = setup();
    const u = tab('u');
    const v = tab('v');
    hub.attach(u, ['A']);
    hub.attach(v, ['C']);
    push({ users: ['u'] });
    push({ projects: ['A'] });
    push({ projects: ['C'] });
    push({ users: ['w'], projects: ['Z'] });
    expect(u.ns()).toEqual([1, 2]);
    expect(v.ns()).toEqual([3]);
  });

  it('scopeOf sorts, de-duplicates and drops empty ids', () => {
    expect(scopeOf(['b', '', 'a', 'b'])).toEqual(['a', 'b']);
  });
});

describe('hub: resume per stream', () => {
  it('a resume within the held history replays the missed pushes of that stream only', () => {
    const { hub, push } = setup();
    const a = tab('u');
    const b = tab('u');
    const pa = hub.attach(a, ['A']);
    hub.attach(b, ['B']);
    push({ projects: ['A'] });
    hub.detach(a);
    push({ projects: ['B'] });
    push({ projects: ['A'] });
    push({ users: ['u'] });
    const out = hub.resume('u', ['A'], pa.epoch, 1);
    expect(out.kind).toBe('resumed');
    expect(out.kind === 'resumed' && out.frames.map((f) => (JSON.parse(f) as { data: { n: number }; seq: number }).data.n)).toEqual([3, 4]);
    expect(out.kind === 'resumed' && out.frames.map((f) => (JSON.parse(f) as { seq: number }).seq)).toEqual([2, 3]);
  });

  it('a resume with a credential of another scope gets reset, even when that stream exists and has the seq', () => {
    const { hub, push } = setup();
    const a = tab('u');
    const b = tab('u');
    const pa = hub.attach(a, ['A']);
    hub.attach(b, ['B']);
    push({ projects: ['A'] });
    push({ projects: ['B'] });
    push({ projects: ['B'] });
    expect(hub.resume('u', ['B'], pa.epoch, 1).kind).toBe('reset');
    expect(hub.resume('u', ['A', 'B'], pa.epoch, 0).kind).toBe('reset');
    expect(hub.resume('u', ['A'], pa.epoch, 1)).toEqual({ kind: 'resumed', frames: [] });
  });

  it('beyond replay_size, beyond replay_seconds, an unknown seq or another epoch: reset', () => {
    const { hub, push, advance } = setup();
    const a = tab('u');
    const p = hub.attach(a, []);
    for (let i = 0; i < 6; i++) push({ users: ['u'] });
    expect(hub.resume('u', [], p.epoch, 1).kind).toBe('reset');
    expect(hub.resume('u', [], p.epoch, 2).kind).toBe('resumed');
    expect(hub.resume('u', [], p.epoch, 7).kind).toBe('reset');
    expect(hub.resume('u', [], p.epoch, -1).kind).toBe('reset');
    expect(hub.resume('u', [], 'E.99', 6).kind).toBe('reset');
    expect(hub.resume('u', [], 'other', 6).kind).toBe('reset');
    advance(61_000);
    expect(hub.resume('u', [], p.epoch, 5).kind).toBe('reset');
    expect(hub.resume('u', [], p.epoch, 6)).toEqual({ kind: 'resumed', frames: [] });
  });

  it('interrupt tells every connection reset and drops held history', () => {
    const { hub, push } = setup();
    const a = tab('u');
    const p = hub.attach(a, ['A']);
    push({ projects: ['A'] });
    push({ projects: ['A'] });
    hub.interrupt('lost');
    expect(a.frames.at(-1)).toEqual({ type: 'reset', reason: 'lost' });
    expect(hub.resume('u', ['A'], p.epoch, 1).kind).toBe('reset');
  });
});

describe('hub: forgetting', () => {
  it('a stream without connections keeps counting until swept after replay_seconds idle; then a resume is reset', () => {
    const { hub, push, advance } = setup();
    const a = tab('u');
    const p = hub.attach(a, ['A']);
    hub.detach(a);
    push({ projects: ['A'] });
    advance(30_000);
    expect(hub.sweep()).toBe(0);
    expect(hub.resume('u', ['A'], p.epoch, 0).kind).toBe('resumed');
    advance(31_000);
    expect(hub.sweep()).toBe(1);
    expect(hub.streamCount()).toBe(0);
    expect(hub.resume('u', ['A'], p.epoch, 1).kind).toBe('reset');
    // A forgotten stream is reborn with a new epoch, from seq 0.
    const again = hub.attach(tab('u'), ['A']);
    expect(again.epoch).not.toBe(p.epoch);
    expect(again.seq).toBe(0);
  });

  it('a stream with a connection is never swept', () => {
    const { hub, advance } = setup();
    hub.attach(tab('u'), []);
    advance(1_000_000);
    expect(hub.sweep()).toBe(0);
  });

  it('scale-out: the last detach forgets the stream and its project index', () => {
    const { hub, push } = setup({ forgetOnLastDetach: true });
    const a = tab('u');
    const b = tab('u');
    hub.attach(a, ['A']);
    hub.attach(b, ['A']);
    hub.detach(a);
    expect(hub.streamCount()).toBe(1);
    hub.detach(b);
    expect(hub.streamCount()).toBe(0);
    push({ projects: ['A'] });
    expect(hub.stats.frames).toBe(0);
  });
});

describe('hub: repeated push ids', () => {
  it('a push whose id was delivered recently is dropped; ids fall out of the bounded window', () => {
    const { hub, push } = setup({ dedupeSize: 2 });
    const a = tab('u');
    hub.attach(a, []);
    expect(push({ users: ['u'] }, 'k1')).toBe(true);
    expect(push({ users: ['u'] }, 'k1')).toBe(false);
    // At least the last dedupe_size ids are remembered, at most twice as many.
    push({ users: ['u'] }, 'k2');
    expect(push({ users: ['u'] }, 'k1')).toBe(false);
    push({ users: ['u'] }, 'k3');
    push({ users: ['u'] }, 'k4');
    push({ users: ['u'] }, 'k5');
    expect(push({ users: ['u'] }, 'k1')).toBe(true);
    expect(push({ users: ['u'] }, null)).toBe(true);
    expect(push({ users: ['u'] }, null)).toBe(true);
    expect(a.ns()).toEqual([1, 3, 5, 6, 7, 8, 9, 10]);
    expect(hub.stats.repeats).toBe(2);
  });
});

describe('recent ids', () => {
  it('remembers at least the last `size` ids and forgets older ones, at constant cost', () => {
    const r = new RecentIds(1000);
    for (let i = 0; i < 200_000; i++) expect(r.seen(`k${i}`)).toBe(false);
    for (let i = 199_000; i < 200_000; i++) expect(r.seen(`k${i}`)).toBe(true);
    expect(r.seen('k0')).toBe(false);
  });
});
