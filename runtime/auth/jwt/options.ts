// The JWT authenticator's [WEBSOCKET] options (merged into the settings schema).
import type { OptionSpec } from '../../core/options.js';

export const JWT_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  jwt_secret: { kind: 'string', default: null, doc: 'HS256 shared secret' },
  jwt_public_key_file: { kind: 'string', default: null, doc: 'PEM public key for RS256/ES256 tokens' },
  jwt_jwks_file: { kind: 'string', default: null, doc: 'JWKS file for RS256/ES256 tokens' },
  jwt_audience: { kind: 'string', default: null, doc: 'required aud claim when set' },
  jwt_issuer: { kind: 'string', default: null, doc: 'required iss claim when set' },
};
