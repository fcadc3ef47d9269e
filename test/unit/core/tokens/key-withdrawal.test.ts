/**
 * Red team 16 (HIGH): a stolen signing key must be withdrawable at once. `keys:rotate
 * --immediately` kept it published for the retention; `--withdraw` drops it from the set and the
 * JWKS in one step, locally and on AWS (the same withdrawSigningKeys).
 */
import { describe, expect, it, vi } from 'vitest';
import { type AccessTokenClaims, signAccessToken } from '../../../../src/core/tokens/access-tokens';
import { createKeyRing } from '../../../../src/core/tokens/key-ring';
import {
  type KeyRotationDeps,
  ROTATION_STEPS,
  runRotationStep,
} from '../../../../src/core/tokens/key-rotation';
import { createSignerCache } from '../../../../src/core/tokens/signer-cache';
import {
  currentSigner,
  ensureSigningKeySet,
  newSigningKeySet,
  publicJwks,
  type WithdrawTarget,
  withdrawSigningKeySet,
  withdrawSigningKeys,
} from '../../../../src/core/tokens/signing-keys';
import { createMemoryStore } from '../../../../src/store/memory-store';
import { memoryStagedSecret } from '../../../support/staged-key-secret';

// RSA key generation takes seconds on a loaded machine: a time limit for that, not a hang.
vi.setConfig({ testTimeout: 30_000 });

const ISSUER = 'https://auth.example.com';
const T0 = 1_800_000_000_000;

const claimsAt = (ms: number): AccessTokenClaims => ({
  iss: ISSUER,
  aud: ISSUER,
  sub: 'owner-1',
  jti: `forged-${ms}`,
  iat: Math.floor(ms / 1000),
  exp: Math.floor(ms / 1000) + 900,
  scope: 'users:write clients:write',
  role: 'owner',
  username: 'mallory',
  email: 'm@example.com',
  user_type: 'human',
  groups: [],
  sid: 'sid-x',
});

const ringOver = (keys: () => ReturnType<typeof publicJwks>['keys'], now: () => number) =>
  createKeyRing({
    issuer: ISSUER,
    audience: ISSUER,
    now,
    loadKeys: async () => keys(),
    cacheSize: 10,
  });

const verifying = (ring: ReturnType<typeof createKeyRing>, token: string) =>
  Promise.resolve().then(() => ring.verify(token));

const setUp = () => {
  const staged = memoryStagedSecret();
  const store = createMemoryStore();
  const clock = { now: T0 };
  const target: WithdrawTarget = {
    source: staged.source,
    publishedGeneration: async () => (await store.getPublishedKeys())?.generation ?? 0,
    publish: (generation, keys) => store.publishKeys(generation, keys),
  };
  const rotation: KeyRotationDeps = {
    secret: staged.secret,
    publish: (generation, keys) => store.publishKeys(generation, keys),
    readPublished: async () => (await store.getPublishedKeys())?.keys ?? [],
    now: () => clock.now,
    timing: { leadSeconds: 3600, retainSeconds: 90_000 },
  };
  const publishedKids = async () => (await store.getPublishedKeys())?.keys.map((k) => k.kid);
  return { staged, store, clock, target, rotation, publishedKids };
};

describe('withdrawing a compromised signing key', () => {
  it('a token minted with the stolen key after the withdrawal fails; the new keys sign at once', async () => {
    const { staged, store, clock, target } = setUp();
    const compromised = await ensureSigningKeySet(staged.source, T0);
    await store.publishKeys(compromised.generation, publicJwks(compromised).keys);
    const stolen = currentSigner(compromised, 'ES256', T0);
    clock.now = T0 + 60_000;
    const after = await withdrawSigningKeys(target, clock.now);
    const published = (await store.getPublishedKeys())?.keys ?? [];
    const ring = ringOver(
      () => published,
      () => clock.now + 120_000,
    );
    const forged = signAccessToken(stolen, claimsAt(clock.now + 120_000));
    await expect(verifying(ring, forged)).rejects.toThrow(/unknown key/);
    expect(published.map((k) => k.kid)).not.toContain(stolen.kid);
    const fresh = currentSigner(after, 'ES256', clock.now);
    await expect(
      verifying(ring, signAccessToken(fresh, claimsAt(clock.now))),
    ).resolves.toBeTruthy();
  });

  it('withdraws only the named key: the others stop signing and keep verifying', async () => {
    const set = newSigningKeySet(T0);
    const [es, rs] = set.keys;
    if (!es || !rs) throw new Error('no keys');
    const after = withdrawSigningKeySet(set, T0 + 1000, { kids: [es.kid], aboveGeneration: 4 });
    expect(after.generation).toBe(5);
    expect(after.keys.map((k) => k.kid)).not.toContain(es.kid);
    expect(after.keys.find((k) => k.kid === rs.kid)?.retiredAt).toBe(T0 + 1000);
    expect(currentSigner(after, 'RS256', T0 + 1000).kid).not.toBe(rs.kid);
    expect(() => withdrawSigningKeySet(set, T0, { kids: ['nope'] })).toThrow(/no key nope/);
  });

  it('a warm signer stops signing with a withdrawn key within its refresh', async () => {
    const { staged, clock, target } = setUp();
    const before = await ensureSigningKeySet(staged.source, T0);
    const cache = createSignerCache({
      load: async () => (await staged.source.load()) ?? before,
      now: () => clock.now,
    });
    const stolenKid = (await cache.signer('ES256')).kid;
    await withdrawSigningKeys(target, clock.now);
    clock.now += 300_001;
    expect((await cache.signer('ES256')).kid).not.toBe(stolenKid);
  });

  it('a staged rotation cannot bring a withdrawn key back, whichever step it reached', async () => {
    for (const reached of [0, 1, 2, 3, 4]) {
      const { staged, clock, target, rotation, publishedKids } = setUp();
      staged.beginRotation('r1');
      for (const step of ROTATION_STEPS) await runRotationStep(rotation, step, 'r1');
      const compromised = staged.current();
      if (!compromised) throw new Error('no set');
      staged.beginRotation('r2');
      for (const step of ROTATION_STEPS.slice(0, reached)) {
        await runRotationStep(rotation, step, 'r2');
      }
      clock.now += 1000;
      const after = await withdrawSigningKeys(target, clock.now);
      for (const step of ROTATION_STEPS.slice(reached)) {
        // createSecret stages from the withdrawn set; a step on the moved generation gives up.
        await runRotationStep(rotation, step, 'r2').catch((error: Error) =>
          expect(error.message).toMatch(/changed|not AWSPENDING/),
        );
      }
      const withdrawn = compromised.keys.map((k) => k.kid);
      const stored = staged.current()?.keys.map((k) => k.kid) ?? [];
      const published = (await publishedKids()) ?? [];
      for (const kid of withdrawn) {
        expect(stored).not.toContain(kid);
        expect(published).not.toContain(kid);
      }
      expect(stored).toEqual(expect.arrayContaining(after.keys.map((k) => k.kid)));
    }
  });
});
