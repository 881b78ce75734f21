// The flags of the runtime's own commands (serve, token), apart from main.ts so `herald help` and
// the compiler's CLI can list them without loading the generated rules.
export const SERVE_FLAGS = { config: { type: 'string' }, rules: { type: 'string' } } as const;
export const TOKEN_FLAGS = {
  config: { type: 'string' },
  sub: { type: 'string' },
  projects: { type: 'string', default: '' },
  ttl: { type: 'string', default: '3600' },
  secret: { type: 'string' },
  audience: { type: 'string' },
  issuer: { type: 'string' },
} as const;
