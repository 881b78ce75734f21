// Which authenticators run: every registered one the configuration turns on, in registry order.
// Embedded mode on loopback with none configured gets a per-process development secret (tokens
// from POST /v1/dev-token); anywhere else, no authenticator is a start-up error.
import { randomBytes } from 'node:crypto';
import type { Registry } from 'prom-client';
import type { Logger } from '../core/log.js';
import type { Authenticator } from '../auth/authenticator.js';
import { AUTHENTICATORS } from '../auth/registry.js';
import { makeJwtAuthenticator } from '../auth/jwt/jwt.js';
import { signHs256 } from '../auth/jwt/sign.js';
import { StartupCodes, StartupError } from '../diagnostics/startup.js';
import type { GatewayConfig } from './config.js';

export interface Authenticators {
  list: Authenticator[];
  /** Development tokens (embedded mode without a configured authenticator only). */
  devToken: ((sub: string, projects: string[]) => Promise<string>) | null;
}

const DEV_TOKEN_SECONDS = 12 * 3600;

export async function makeAuthenticators(config: GatewayConfig, log: Logger, registry: Registry): Promise<Authenticators> {
  const option = (name: string) => config.option('WEBSOCKET', name);
  const list: Authenticator[] = [];
  for (const f of AUTHENTICATORS) if (f.enabled(option)) list.push(await f.create({ option, configPath: config.path, log, registry }));
  if (list.length) return { list, devToken: null };
  const loopback = /^(127\.|::1$|localhost$)/.test(config.websocket.host);
  if (!config.embedded || !loopback) {
    const kinds = AUTHENTICATORS.map((f) => f.kind).join(', ');
    throw StartupError.of(StartupCodes.NeedsKey, config.path ?? 'configuration', `[WEBSOCKET] configures no authenticator (${kinds}): set jwt_secret, jwt_public_key_file, jwt_jwks_file or keystone_url (only an embedded gateway on loopback may run without one)`);
  }
  const secret = randomBytes(32).toString('hex');
  const dev = (await makeJwtAuthenticator({ secret, publicKeyFile: null, jwksFile: null, audience: null, issuer: null }))!;
  return { list: [dev], devToken: (sub, projects) => signHs256(secret, { sub, projects, exp: Math.floor(Date.now() / 1000) + DEV_TOKEN_SECONDS }) };
}
