// `herald serve` and `herald token`: the runtime's own entry (no compiler code), with the rules
// compiled into generated/ (or handed in by `herald serve --rules DIR`).
import { signHs256 } from './auth/jwt/sign.js';
import { jwtKeys } from './auth/jwt/index.js';
import { rules as generatedRules } from '../generated/decoders.js';
import { transforms as generatedTransforms } from '../generated/transformers.js';
import type { CompiledRules } from './decode/rt.js';
import type { CompiledTransforms } from './transform/rt.js';
import { loadGatewayConfig } from './gateway/config.js';
import { StartupError, startupMessage } from './diagnostics/startup.js';
import { UsageError, integerFlag, parseFlags } from './cli/flags.js';
import { SERVE_FLAGS, TOKEN_FLAGS } from './cli/runtime-flags.js';
import { startGateway } from './gateway/gateway.js';

export interface CompiledSet {
  rules: CompiledRules;
  transforms: CompiledTransforms;
  from: string;
}

const GENERATED: CompiledSet = { rules: generatedRules, transforms: generatedTransforms, from: 'generated/' };

export async function serveMain(args: string[], compiled: CompiledSet = GENERATED): Promise<number> {
  const values = parseFlags('serve', args, SERVE_FLAGS);
  let gateway;
  try {
    const config = loadGatewayConfig(values.config ?? null);
    gateway = await startGateway({ config, rules: compiled.rules, transforms: compiled.transforms, rulesFrom: compiled.from });
  } catch (e) {
    // The one boundary for start-up: whatever stops it is one line each, never a stack trace.
    process.stderr.write(startupMessage(e) + '\n');
    return 1;
  }
  const g = gateway;
  process.stderr.write(`herald: serving on http://${g.config.websocket.host}:${g.port}/ (WebSocket ${g.config.websocket.path}${g.config.embedded ? ', embedded: POST /v1/notifications' : ''})\n`);
  await new Promise<void>((resolve) => {
    const stop = (): void => void g.stop().then(resolve);
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
  return 0;
}

/** Mints an HS256 token with the configured jwt_secret (for tests, scripts and the README). */
export async function tokenMain(args: string[]): Promise<number> {
  const values = parseFlags('token', args, TOKEN_FLAGS);
  const ttl = integerFlag('token', '--ttl', values.ttl, 1);
  let secret = values.secret;
  let audience = values.audience;
  let issuer = values.issuer;
  if (!secret) {
    try {
      const config = loadGatewayConfig(values.config ?? null);
      const keys = jwtKeys((name) => config.option('WEBSOCKET', name));
      secret = keys.secret ?? undefined;
      audience ??= keys.audience ?? undefined;
      issuer ??= keys.issuer ?? undefined;
    } catch (e) {
      if (!(e instanceof StartupError)) throw e;
      process.stderr.write(e.message + '\n');
      return 1;
    }
  }
  if (!secret || !values.sub) {
    process.stderr.write('herald token: needs --sub USER and a jwt_secret (--secret, or [WEBSOCKET] jwt_secret in --config FILE)\n');
    return 2;
  }
  const jwt = await signHs256(secret, { sub: values.sub, projects: values.projects ? values.projects.split(',') : [], exp: Math.floor(Date.now() / 1000) + ttl, audience, issuer });
  process.stdout.write(jwt + '\n');
  return 0;
}

/**
 * `herald serve` (without --rules) and `herald token` straight from bin/herald.mjs: the compiler
 * (TypeScript, ts-morph: tens of MiB a serving gateway never uses) is not loaded for them.
 */
export async function runtimeMain(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    return cmd === 'token' ? await tokenMain(rest) : await serveMain(rest);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    const message = e.message.startsWith('herald ') ? e.message : `herald: ${e.message}`;
    process.stderr.write(`${message}\n(\`herald help\` lists every command and its options)\n`);
    return 2;
  }
}
