// A network namespace joined to this machine by one veth pair (iproute2), made and removed by
// the test itself: the host side gets .1, the namespace side .2 of a private /30. Setting the
// namespace side down partitions whatever runs inside; packets are dropped, not refused, as in a
// real partition. Nothing is routed anywhere but between these two addresses.
import { execFileSync, spawnSync } from 'node:child_process';
import { randomInt } from 'node:crypto';

export interface Netns {
  name: string;
  hostAddr: string;
  nsAddr: string;
  /** The command line prefix that runs a program inside the namespace. */
  exec: string[];
  partition(): void;
  heal(): void;
  remove(): void;
}

const ip = (args: string[]): string => execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

/** Whether `ip netns add` and veth pairs work here (root, iproute2, a kernel or sandbox allowing it). */
export function netnsWorks(): boolean {
  const probe = `hprobe${process.pid}`;
  const ok = spawnSync('ip', ['netns', 'add', probe], { stdio: 'ignore' }).status === 0;
  if (!ok) return false;
  const veth = spawnSync('ip', ['-n', probe, 'link', 'add', 'hpa', 'type', 'veth', 'peer', 'name', 'hpb'], { stdio: 'ignore' }).status === 0;
  spawnSync('ip', ['netns', 'del', probe], { stdio: 'ignore' });
  return veth;
}

function freeSubnet(): string {
  const used = ip(['-4', 'route', 'show']);
  for (let i = 0; i < 50; i++) {
    const prefix = `10.${randomInt(200, 250)}.${randomInt(0, 255)}`;
    if (!used.includes(`${prefix}.`)) return prefix;
  }
  throw new Error('no free 10.x.y.0/30 for the test namespace');
}

export function createNetns(tag: string): Netns {
  const name = `herald-${tag}`;
  const hostIf = `hv${tag}h`;
  const nsIf = `hv${tag}n`;
  const prefix = freeSubnet();
  const hostAddr = `${prefix}.1`;
  const nsAddr = `${prefix}.2`;
  ip(['netns', 'add', name]);
  try {
    ip(['link', 'add', hostIf, 'type', 'veth', 'peer', 'name', nsIf]);
    ip(['link', 'set', nsIf, 'netns', name]);
    ip(['addr', 'add', `${hostAddr}/30`, 'dev', hostIf]);
    ip(['link', 'set', hostIf, 'up']);
    ip(['-n', name, 'addr', 'add', `${nsAddr}/30`, 'dev', nsIf]);
    ip(['-n', name, 'link', 'set', 'lo', 'up']);
    ip(['-n', name, 'link', 'set', nsIf, 'up']);
  } catch (e) {
    spawnSync('ip', ['link', 'del', hostIf], { stdio: 'ignore' });
    spawnSync('ip', ['netns', 'del', name], { stdio: 'ignore' });
    throw e;
  }
  return {
    name,
    hostAddr,
    nsAddr,
    exec: ['ip', 'netns', 'exec', name],
    partition: () => void ip(['-n', name, 'link', 'set', nsIf, 'down']),
    heal: () => void ip(['-n', name, 'link', 'set', nsIf, 'up']),
    remove: () => {
      // Deleting the namespace deletes its end of the pair, and with it the host end.
      spawnSync('ip', ['netns', 'del', name], { stdio: 'ignore' });
      spawnSync('ip', ['link', 'del', hostIf], { stdio: 'ignore' });
    },
  };
}
