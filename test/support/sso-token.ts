import { SignJWT } from 'jose';
import type { Clock } from '../../src/core/shared/clock';

/** An HS256 SSO token as a Metabase-style provider signs it: issued now on `clock`, `lifetime` seconds. */
export const hs256SsoToken = (
  clock: Clock,
  claims: Record<string, unknown>,
  secret: string,
  lifetime = 60,
) => {
  const now = Math.floor(clock.now() / 1000);
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuedAt(now)
    .setExpirationTime(now + lifetime)
    .sign(Buffer.from(secret, 'utf8'));
};
