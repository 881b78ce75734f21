// keystone group: Keystone-authenticated connections per second through `herald serve`, with a
// cold cache (every token new to Herald: one Keystone validation each) and a warm one (the same
// tokens again: answered from Herald's cache). A real Keystone on loopback, bounded token count.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitHttp } from '../test/gateway/harness.js';
import { stopOnSignal } from './interrupt.js';
import { startKeystone } from '../test/keystone/harness.js';
import { report } from './report.js';
import { runScript, startGatewayProcess } from './load/procs.js';
import type { ConnectRateReport } from './load/connect-rate.js';

const RULES_YAML = `- event_type: test.push
  traits:
    target:
      fields: payload.target
`;
const TRANSFORMER = `[NOTIFY_MANAGER]
transformer = [
    {'event_type': 'test.push', 'event_define': {'event_type': 'websocket.send', 'traits': {'toid': '@traits.target', 'message': 'x'}}},
  ]
`;

/** Each token connects this many more times for the warm figure (a cache hit each time). */
const WARM_ROUNDS = 5;

export async function benchKeystone(tokens = Number(process.env.HERALD_BENCH_KEYSTONE_TOKENS ?? 300)): Promise<void> {
  const keystone = await startKeystone();
  const stopKeystone = stopOnSignal(() => keystone.down());
  let gw: ReturnType<typeof startGatewayProcess> | undefined;
  try {
    const project = await keystone.createProject('bench');
    const user = await keystone.member('bench', project);
    const issued: string[] = [];
    for (let i = 0; i < tokens; i++) issued.push(await keystone.token(user.name, user.password, { projectId: project }));
    const dir = mkdtempSync(join(tmpdir(), 'herald-bench-ks-'));
    writeFileSync(join(dir, 'event_definitions.yaml'), RULES_YAML);
    writeFileSync(join(dir, 'settings.ini'), TRANSFORMER);
    const port = await freePort();
    const cfg = join(dir, 'keystone.ini');
    // Keystone's test server answers one request at a time: a cold burst queues there, so the timeouts are roomy.
    writeFileSync(cfg, `[WEBSOCKET]\nport = ${port}\nkeystone_url = ${keystone.url}\nkeystone_revalidate_seconds = 3600\nkeystone_timeout = 60\nauth_timeout = 60\nmax_connections_per_user = ${tokens * (WARM_ROUNDS + 1) + 10}\n`);
    gw = startGatewayProcess(dir, cfg);
    await waitHttp(port, '/healthz');
    const plan = { port, tokens: issued, parallel: 16, timeoutMs: 30_000 };
    const before = keystone.validationRequests();
    const cold = await runScript<ConnectRateReport>('connect-rate.ts', plan);
    const validations = keystone.validationRequests() - before;
    const warmTokens = Array.from({ length: WARM_ROUNDS }, () => issued).flat();
    const warm = await runScript<ConnectRateReport>('connect-rate.ts', { ...plan, tokens: warmTokens });
    // A refused connection is reported, not fatal: the group finishes and says what it saw (the
    // cold burst queues at Keystone's one-request-at-a-time test server).
    report('keystone.refused_connections', cold.refused + warm.refused, 'connections', `cold ${cold.refused} of ${tokens}, warm ${warm.refused} of ${warmTokens.length}`);
    const coldRate = cold.ready / cold.seconds;
    const warmRate = warm.ready / warm.seconds;
    report('keystone.cold_conn_per_s', coldRate, 'connections/s', `${tokens} distinct tokens new to Herald, 16 at a time: ${validations} Keystone validations (Keystone's single-threaded wsgiref server)`);
    report('keystone.warm_conn_per_s', warmRate, 'connections/s', `the same ${tokens} tokens ${WARM_ROUNDS} times more (${warmTokens.length} connections), answered from Herald's cache (${keystone.validationRequests() - before - validations} more validations)`);
    report('keystone.warm_vs_cold', warmRate / coldRate, 'x', 'what the cache saves per connection');
  } finally {
    gw?.kill('SIGKILL');
    stopKeystone();
  }
}
