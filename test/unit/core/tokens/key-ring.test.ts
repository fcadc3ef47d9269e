import { describe, expect, it } from 'vitest';
import { type AccessTokenClaims, signAccessToken } from '../../../../src/core/tokens/access-tokens';
import { createKeyRing } from '../../../../src/core/tokens/key-ring';
import {
  currentSigner,
  newSigningKeySet,
  type PublicJwk,
  publicJwks,
} from '../../../../src/core/tokens/signing-keys';

const ISSUER = 'https://auth.example.com';
const NOW = 1_800_000_000;

const claims: AccessTokenClaims = {
  iss: ISSUER,
  aud: ISSUER,
  sub: 'user-1',
  jti: 'jti-1',
  iat: NOW,
  exp: NOW + 900,
  scope: 'profile',
  role: 'editor',
  username: 'ann',
  email: 'ann@example.com',
  user_type: 'human',
  groups: [],
  sid: 'sid-1',
};

const first = newSigningKeySet(NOW * 1000);
const rotated = newSigningKeySet(NOW * 1000);
const oldToken = signAccessToken(currentSigner(first), claims);
const newToken = signAccessToken(currentSigner(rotated), { ...claims, jti: 'jti-2' });

const ringOver = (published: { keys: PublicJwk[] }, clock: { now: number }) => {
  let loads = 0;
  const ring = createKeyRing({
    issuer: ISSUER,
    audience: ISSUER,
    now: () => clock.now,
    loadKeys: async () => {
      loads++;
      return published.keys;
    },
    cacheSize: 10,
  });
  return { ring, loads: () => loads };
};

describe('key ring', () => {
  it('loads the keys on first use, once for concurrent callers, then verifies synchronously', async () => {
    const clock = { now: NOW * 1000 };
    const { ring, loads } = ringOver(publicJwks(first), clock);
    const [a, b] = await Promise.all([ring.verify(oldToken), ring.verify(oldToken)]);
    expect(a).toMatchObject({ sub: 'user-1' });
    expect(b).toMatchObject({ sub: 'user-1' });
    expect(loads()).toBe(1);
    expect(ring.verify(oldToken)).toMatchObject({ jti: 'jti-1' });
  });

  it('reloads for an unknown kid at most once per interval', async () => {
    const clock = { now: NOW * 1000 };
    const published = publicJwks(first);
    const { ring, loads } = ringOver(published, clock);
    await ring.verify(oldToken);
    published.keys = [...publicJwks(rotated).keys, ...published.keys];
    // Within 30 s of the last read a rotated key is refused without another read.
    expect(() => ring.verify(newToken)).toThrow(/unknown key/);
    expect(loads()).toBe(1);
    clock.now += 31_000;
    await expect(ring.verify(newToken)).resolves.toMatchObject({ jti: 'jti-2' });
    expect(loads()).toBe(2);
    expect(ring.verify(oldToken)).toMatchObject({ jti: 'jti-1' });
  });

  it('refuses a token a forgotten key signed, and a bad one, without a reload', async () => {
    const clock = { now: NOW * 1000 };
    const { ring, loads } = ringOver(publicJwks(rotated), clock);
    await expect(ring.verify(oldToken)).rejects.toThrow(/unknown key/);
    expect(() => ring.verify(`${newToken.slice(0, -2)}AA`)).toThrow();
    expect(loads()).toBe(1);
  });

  it('tries the load again after a failed one', async () => {
    const clock = { now: NOW * 1000 };
    let fail = true;
    const ring = createKeyRing({
      issuer: ISSUER,
      audience: ISSUER,
      now: () => clock.now,
      loadKeys: async () => {
        if (fail) throw new Error('down');
        return publicJwks(first).keys;
      },
      cacheSize: 10,
    });
    await expect(ring.verify(oldToken)).rejects.toThrow('down');
    fail = false;
    await expect(ring.verify(oldToken)).resolves.toMatchObject({ sub: 'user-1' });
  });
});
