import { randomBytes } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';

/** RFC 6238 as API.md fixes it: SHA-1, 6 digits, 30 s steps. */
const PERIOD_SECONDS = 30;
const CODE = /^\d{6}$/;

const totpOf = (secret: string, issuer = '', label = '') =>
  new TOTP({
    issuer,
    label,
    algorithm: 'SHA1',
    digits: 6,
    period: PERIOD_SECONDS,
    secret: Secret.fromBase32(secret),
  });

/** 20 random bytes as unpadded base32 (32 characters: 160 bits need no padding). */
export const newTotpSecret = (): string =>
  new Secret({ buffer: new Uint8Array(randomBytes(20)).buffer }).base32;

/** The `otpauth://` URI an authenticator app scans: issuer, label = the user's email. */
export const totpUri = (secret: string, issuer: string, email: string): string =>
  totpOf(secret, issuer, email).toString();

/** The issuer an authenticator app shows: the service's host. */
export const totpIssuer = (issuerUrl: string): string => new URL(issuerUrl).host;

/** The 30 s step a time falls in. */
export const totpStep = (now: number): number =>
  TOTP.counter({ period: PERIOD_SECONDS, timestamp: now });

/**
 * The step a code matches among T-1, T and T+1 (one step of drift each way), or null.
 * Whether that step is still unused is the store's atomic check, not this one.
 */
export const matchTotpStep = (secret: string, code: string, now: number): number | null => {
  if (!CODE.test(code)) return null;
  const delta = totpOf(secret).validate({ token: code, timestamp: now, window: 1 });
  return delta === null ? null : totpStep(now) + delta;
};

export const looksLikeTotpCode = (code: string): boolean => CODE.test(code);
