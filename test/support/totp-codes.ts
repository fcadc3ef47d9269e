import { Secret, TOTP } from 'otpauth';

/** The code an authenticator app shows at `at` (ms), computed by the library, never hard-coded. */
export const totpCodeAt = (secret: string, at: number): string =>
  new TOTP({
    algorithm: 'SHA1',
    digits: 6,
    period: 30,
    secret: Secret.fromBase32(secret),
  }).generate({
    timestamp: at,
  });
