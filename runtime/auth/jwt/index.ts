// JWTs (HS256 secret, RS256/ES256 public key or JWKS file): on when any key is configured.
import type { AuthenticatorFactory } from '../registry.js';
import type { OptionReader } from '../../core/options.js';
import { JWT_OPTIONS } from './options.js';
import type { JwtKeys } from './jwt.js';
import { loadJwtAuthenticator } from './keys.js';

export function jwtKeys(option: OptionReader): JwtKeys {
  const s = (name: string): string | null => {
    const v = option(name);
    return v === null || v === undefined || v === '' ? null : String(v);
  };
  return { secret: s('jwt_secret'), publicKeyFile: s('jwt_public_key_file'), jwksFile: s('jwt_jwks_file'), audience: s('jwt_audience'), issuer: s('jwt_issuer') };
}

export const jwtFactory: AuthenticatorFactory = {
  kind: 'jwt',
  options: JWT_OPTIONS,
  enabled: (option) => {
    const k = jwtKeys(option);
    return k.secret !== null || k.publicKeyFile !== null || k.jwksFile !== null;
  },
  create: (setup) => loadJwtAuthenticator(jwtKeys(setup.option)),
};
