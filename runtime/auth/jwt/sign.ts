// An HS256 token as Herald verifies it: development tokens, `herald token`, tests and benches.
import { SignJWT } from 'jose';

export interface TokenClaims {
  sub: string;
  projects?: readonly string[];
  /** Expiry, seconds since the epoch. */
  exp: number;
  audience?: string;
  issuer?: string;
}

export function signHs256(secret: string, c: TokenClaims): Promise<string> {
  let jwt = new SignJWT({ projects: [...(c.projects ?? [])] }).setProtectedHeader({ alg: 'HS256' }).setSubject(c.sub).setIssuedAt().setExpirationTime(c.exp);
  if (c.audience) jwt = jwt.setAudience(c.audience);
  if (c.issuer) jwt = jwt.setIssuer(c.issuer);
  return jwt.sign(new TextEncoder().encode(secret));
}
