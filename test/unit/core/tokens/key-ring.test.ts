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
    // One signature character changed mid-way (at the end it may only touch padding bits, or
    // already be the character written: a 1 in 256 flake of the old `...AA`).
    const at = newToken.length - 10;
    const tampered = `${newToken.slice(0, at)}${newToken[at] === 'A' ? 'B' : 'A'}${newToken.slice(at + 1)}`;
    expect(() => ring.verify(tampered)).toThrow();
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

describe('key ring refresh', () => {
  it('re-reads the published keys every five minutes, so a key published since verifies at once', async () => {
    const clock = { now: NOW * 1000 };
    const published = publicJwks(first);
    const { ring, loads } = ringOver(published, clock);
    await ring.verify(oldToken);
    published.keys = [...publicJwks(rotated).keys, ...published.keys];
    clock.now += 301_000;
    // Not the unknown-kid path: the old token triggers the refresh.
    await expect(ring.verify(oldToken)).resolves.toMatchObject({ jti: 'jti-1' });
    expect(loads()).toBe(2);
    expect(ring.verify(newToken)).toMatchObject({ jti: 'jti-2' });
  });

  it('random kids cannot hold back the refresh: the reload they burn reads the same JWKS', async () => {
    const clock = { now: NOW * 1000 };
    const published = publicJwks(first);
    const { ring, loads } = ringOver(published, clock);
    await ring.verify(oldToken);
    const [header = '', payload, signature] = newToken.split('.');
    const forgedHeader = { ...JSON.parse(Buffer.from(header, 'base64url').toString()), kid: 'x' };
    const forged = `${Buffer.from(JSON.stringify(forgedHeader)).toString('base64url')}.${payload}.${signature}`;
    for (let i = 0; i < 20; i++) {
      clock.now += 29_000;
      await expect(Promise.resolve().then(() => ring.verify(forged))).rejects.toThrow(
        /unknown key/,
      );
    }
    published.keys = [...publicJwks(rotated).keys, ...published.keys];
    clock.now += 301_000;
    await expect(Promise.resolve(ring.verify(newToken))).resolves.toMatchObject({ jti: 'jti-2' });
    expect(loads()).toBeLessThanOrEqual(22);
  });

  it('keeps the keys it holds when a refresh fails', async () => {
    const clock = { now: NOW * 1000 };
    let fail = false;
    const ring = createKeyRing({
      issuer: ISSUER,
      audience: ISSUER,
      now: () => clock.now,
      loadKeys: async () => {
        if (fail) throw new Error('down');
        return publicJwks(first).keys;
      },
      cacheSize: 0,
    });
    await ring.verify(oldToken);
    fail = true;
    clock.now += 301_000;
    await expect(ring.verify(oldToken)).resolves.toMatchObject({ jti: 'jti-1' });
  });
});

describe('key ring bounds (red team 16)', () => {
  it('stops verifying with held keys once refreshes have failed for longer than the publish lead', async () => {
    const clock = { now: NOW * 1000 };
    let reads = 0;
    const ring = createKeyRing({
      issuer: ISSUER,
      audience: ISSUER,
      now: () => clock.now,
      loadKeys: async () => {
        reads++;
        if (reads === 1) return publicJwks(first).keys;
        throw new Error('AccessDenied');
      },
      cacheSize: 0,
    });
    const signedNow = () => {
      const iat = Math.floor(clock.now / 1000);
      return signAccessToken(currentSigner(first), { ...claims, iat, exp: iat + 900 });
    };
    await ring.verify(oldToken);
    // Within the lead a failed refresh keeps the held keys (an outage refuses nothing).
    clock.now += 3_000_000;
    await expect(ring.verify(signedNow())).resolves.toMatchObject({ jti: 'jti-1' });
    // Past it the held keys may include one the JWKS dropped (withdrawn): refused.
    clock.now += 700_000;
    await expect(Promise.resolve().then(() => ring.verify(signedNow()))).rejects.toThrow(
      'AccessDenied',
    );
  });

  it('forgets a remembered token once its key leaves the JWKS (a withdrawal)', async () => {
    const clock = { now: NOW * 1000 };
    const published = publicJwks(first);
    const ring = createKeyRing({
      issuer: ISSUER,
      audience: ISSUER,
      now: () => clock.now,
      loadKeys: async () => published.keys,
      cacheSize: 10,
    });
    await ring.verify(oldToken);
    expect(ring.verify(oldToken)).toMatchObject({ jti: 'jti-1' });
    published.keys = publicJwks(rotated).keys;
    clock.now += 301_000;
    await expect(Promise.resolve().then(() => ring.verify(oldToken))).rejects.toThrow(
      /unknown key/,
    );
  });

  it('an empty ring reads again for unknown kids at most once a second', async () => {
    const clock = { now: NOW * 1000 };
    const { ring, loads } = ringOver({ keys: [] }, clock);
    await expect(Promise.resolve().then(() => ring.verify(oldToken))).rejects.toThrow(
      /unknown key/,
    );
    for (let i = 0; i < 10; i++) {
      clock.now += 50;
      await expect(Promise.resolve().then(() => ring.verify(oldToken))).rejects.toThrow(
        /unknown key/,
      );
    }
    expect(loads()).toBe(1);
    clock.now += 1000;
    await expect(Promise.resolve().then(() => ring.verify(oldToken))).rejects.toThrow(
      /unknown key/,
    );
    expect(loads()).toBe(2);
  });
});
