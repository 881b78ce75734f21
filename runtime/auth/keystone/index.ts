// The Keystone entry of the authenticator registry: its options, when it is on, how it is built.
import { StartupCodes, StartupError } from '../../diagnostics/startup.js';
import type { AuthenticatorFactory, AuthSetup } from '../registry.js';
import { KeystoneAuthenticator } from './authenticator.js';
import { KeystoneHttp } from './http.js';
import { keystoneMetrics } from './metrics.js';
import { KEYSTONE_OPTIONS, KeystoneOptionError, readKeystoneSettings } from './options.js';
import { selfValidator, serviceValidator } from './validator.js';

/** `clock` is for tests that need cached validity to run out without waiting. */
export async function createKeystoneAuthenticator(setup: AuthSetup, clock: () => number = Date.now): Promise<KeystoneAuthenticator> {
  const where = setup.configPath ?? 'environment';
  let settings;
  try {
    settings = readKeystoneSettings(setup.option);
  } catch (e) {
    if (e instanceof KeystoneOptionError) throw StartupError.of('HE611', where, `[WEBSOCKET] ${e.message}`);
    throw e;
  }
  let http: KeystoneHttp;
  try {
    http = new KeystoneHttp(settings.url, settings.timeoutMs, settings.cafile, settings.maxConcurrent);
  } catch (e) {
    throw StartupError.of(StartupCodes.BadKeyFile, where, `[WEBSOCKET] keystone_cafile cannot be read: ${(e as Error).message}`);
  }
  const metrics = keystoneMetrics(setup.registry);
  const validate = settings.service ? serviceValidator(http, settings.url, settings.service, (o) => metrics.serviceTokens.inc({ outcome: o })) : selfValidator(http, settings.url);
  setup.log.info({ keystone: settings.url, mode: settings.service ? 'service token' : 'self-validation' }, 'keystone: token validation on');
  return new KeystoneAuthenticator(settings, validate, metrics, setup.log, () => http.close(), clock);
}

export const keystoneFactory: AuthenticatorFactory = {
  kind: 'keystone',
  options: KEYSTONE_OPTIONS,
  enabled: (option) => {
    const url = option('keystone_url');
    return typeof url === 'string' && url.trim() !== '';
  },
  create: createKeystoneAuthenticator,
};
