// `npm run bench [-- GROUP...]`: every group, or the named ones.
import { benchDecode } from './decode.js';
import { benchCompile } from './compile.js';
import { benchE2e, benchFault, benchWs } from './e2e.js';
import { benchKeystone } from './keystone.js';
import { benchKafka } from './kafka.js';
import { benchCluster } from './cluster.js';
import { benchPeer } from './peer.js';

const GROUPS: Record<string, () => Promise<void> | void> = {
  decode: () => benchDecode(),
  compile: () => benchCompile(),
  e2e: () => benchE2e(),
  ws: () => benchWs(),
  fault: () => benchFault().then(benchCluster),
  keystone: () => benchKeystone(),
  kafka: () => benchKafka(),
  peer: () => benchPeer(),
};

const wanted = process.argv.slice(2);
for (const g of wanted) if (!(g in GROUPS)) {
  process.stderr.write(`bench: unknown group '${g}' (groups: ${Object.keys(GROUPS).join(', ')})\n`);
  process.exit(2);
}
for (const [name, run] of Object.entries(GROUPS)) {
  if (wanted.length && !wanted.includes(name)) continue;
  process.stderr.write(`# ${name}\n`);
  await run();
}
