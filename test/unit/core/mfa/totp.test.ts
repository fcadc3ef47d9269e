import { describe, expect, it } from 'vitest';
import {
  matchTotpStep,
  newTotpSecret,
  totpIssuer,
  totpStep,
  totpUri,
} from '../../../../src/core/mfa/totp';
import { fakeClock } from '../../../support/fake-clock';
import { totpCodeAt } from '../../../support/totp-codes';

describe('TOTP', () => {
  it('makes a 20-byte secret as unpadded base32, different each time', () => {
    const secret = newTotpSecret();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(newTotpSecret()).not.toBe(secret);
  });

  it('writes the otpauth URI with the issuer, the email as label, SHA1, 6 digits, 30 s', () => {
    const secret = newTotpSecret();
    const uri = new URL(
      totpUri(secret, totpIssuer('https://auth.example.com/'), 'ann@example.com'),
    );
    expect(uri.protocol).toBe('otpauth:');
    expect(uri.host).toBe('totp');
    expect(decodeURIComponent(uri.pathname)).toBe('/auth.example.com:ann@example.com');
    expect(Object.fromEntries(uri.searchParams)).toEqual({
      issuer: 'auth.example.com',
      secret,
      algorithm: 'SHA1',
      digits: '6',
      period: '30',
    });
  });

  it('accepts the codes of steps T-1, T and T+1 and answers their step; refuses T-2 and T+2', () => {
    const clock = fakeClock();
    clock.advance(1_000_000 + 13);
    const secret = newTotpSecret();
    const now = clock.now();
    const step = totpStep(now);
    for (const drift of [-1, 0, 1])
      expect(matchTotpStep(secret, totpCodeAt(secret, now + drift * 30_000), now)).toBe(
        step + drift,
      );
    for (const drift of [-2, 2])
      expect(matchTotpStep(secret, totpCodeAt(secret, now + drift * 30_000), now)).toBeNull();
  });

  it("refuses anything but six digits, and another secret's code", () => {
    const now = fakeClock().now();
    const secret = newTotpSecret();
    const code = totpCodeAt(secret, now);
    expect(matchTotpStep(secret, ` ${code}`, now)).toBeNull();
    expect(matchTotpStep(secret, `${code}0`, now)).toBeNull();
    expect(matchTotpStep(newTotpSecret(), code, now)).toBeNull();
  });
});
