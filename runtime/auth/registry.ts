// Every kind of credential Herald accepts, in one place: an authenticator is one folder under
// runtime/auth/ plus one line in AUTHENTICATORS. Configuration decides which run (several may).
import type { Registry } from 'prom-client';
import type { OptionSpec } from '../core/options.js';
import type { PyValue } from '../semantics/pyvalue.js';
import type { Logger } from '../core/log.js';
import type { Authenticator } from './authenticator.js';
import { jwtFactory } from './jwt/index.js';

export interface AuthSetup {
  /** A `[WEBSOCKET]` option's value. */
  option(name: string): PyValue;
  /** The configuration file, for messages (null: defaults and environment only). */
  configPath: string | null;
  log: Logger;
  registry: Registry;
}

export interface AuthenticatorFactory {
  kind: string;
  /** Its own `[WEBSOCKET]` options (merged into the settings schema). */
  options: Readonly<Record<string, OptionSpec>>;
  /** Whether the configuration turns it on. */
  enabled(option: (name: string) => PyValue): boolean;
  create(setup: AuthSetup): Promise<Authenticator>;
}

export const AUTHENTICATORS: readonly AuthenticatorFactory[] = [jwtFactory];
