import { describe, expect, it, vi } from 'vitest';
import {
  type KeyRotationDeps,
  ROTATION_STEPS,
  runRotationStep,
} from '../../../../src/core/tokens/key-rotation';
import {
  currentSigner,
  ensureSigningKeySet,
  rotateSigningKeySet,
} from '../../../../src/core/tokens/signing-keys';
import { createMemoryStore } from '../../../../src/store/memory-store';
import { memoryStagedSecret } from '../../../support/staged-key-secret';

// RSA key generation takes seconds on a loaded machine: a time limit for that, not a hang.
vi.setConfig({ testTimeout: 30_000 });

const T0 = Date.UTC(2026, 0, 1);
const timing = { leadSeconds: 3600, retainSeconds: 90_000 };

const setUp = () => {
  const staged = memoryStagedSecret();
  const store = createMemoryStore();
  const clock = { now: T0 };
  const deps: KeyRotationDeps = {
    secret: staged.secret,
    publish: (generation, keys) => store.publishKeys(generation, keys),
    readPublished: async () => (await store.getPublishedKeys())?.keys ?? [],
    now: () => clock.now,
    timing,
  };
  const rotate = async (token: string) => {
    staged.beginRotation(token);
    for (const step of ROTATION_STEPS) await runRotationStep(deps, step, token);
  };
  const publishedKids = async () => (await store.getPublishedKeys())?.keys.map((k) => k.kid);
  return { staged, store, clock, deps, rotate, publishedKids };
};

describe('signing-key rotation (Secrets Manager steps)', () => {
  it('turns the deploy placeholder into the first key set, published, signing at once', async () => {
    const { staged, rotate, publishedKids, clock } = setUp();
    await rotate('r1');
    const first = staged.current();
    expect(first?.generation).toBe(1);
    expect(await publishedKids()).toEqual(first?.keys.map((k) => k.kid));
    expect(currentSigner(first ?? { generation: 0, keys: [] }, 'ES256', clock.now).kid).toBe(
      first?.keys[0]?.kid,
    );
  });

  it('stages, publishes before promoting, and the new keys sign only after the lead', async () => {
    const { staged, deps, clock, publishedKids, rotate } = setUp();
    await rotate('r1');
    const first = staged.current();
    const oldKid = first?.keys[0]?.kid;
    clock.now += 86_400_000;
    staged.beginRotation('r2');
    await runRotationStep(deps, 'createSecret', 'r2');
    // Pending, not current: no signer reads it yet, nothing is published yet.
    expect(staged.current()?.generation).toBe(1);
    expect(await publishedKids()).toHaveLength(2);
    await runRotationStep(deps, 'setSecret', 'r2');
    const pending = await deps.secret.read('r2');
    expect(await publishedKids()).toEqual(pending?.keys.map((k) => k.kid));
    await runRotationStep(deps, 'testSecret', 'r2');
    await runRotationStep(deps, 'finishSecret', 'r2');
    const second = staged.current();
    expect(second?.generation).toBe(2);
    expect(staged.stagesOf('r2')).toEqual(['AWSCURRENT']);
    if (!second) throw new Error('no set');
    expect(currentSigner(second, 'ES256', clock.now + 3_599_999).kid).toBe(oldKid);
    expect(currentSigner(second, 'ES256', clock.now + 3_600_000).kid).toBe(second.keys[0]?.kid);
  });

  it('each step is idempotent when Secrets Manager retries it', async () => {
    const { staged, deps, rotate } = setUp();
    await rotate('r1');
    staged.beginRotation('r2');
    for (const step of ROTATION_STEPS) {
      await runRotationStep(deps, step, 'r2');
      await runRotationStep(deps, step, 'r2');
    }
    expect(staged.current()?.generation).toBe(2);
  });

  it('testSecret fails while the JWKS lacks a pending key', async () => {
    const { staged, deps, rotate, store } = setUp();
    await rotate('r1');
    staged.beginRotation('r2');
    await runRotationStep(deps, 'createSecret', 'r2');
    await expect(runRotationStep(deps, 'testSecret', 'r2')).rejects.toThrow(/JWKS lacks 2/);
    await runRotationStep(deps, 'setSecret', 'r2');
    await store.publishKeys(99, []);
    await expect(runRotationStep(deps, 'testSecret', 'r2')).rejects.toThrow(/JWKS lacks 4/);
  });

  it('never replaces a set a cold start stored meanwhile: it gives up and frees the next rotation', async () => {
    const { staged, deps, rotate, clock } = setUp();
    await rotate('r1');
    staged.beginRotation('r2');
    await runRotationStep(deps, 'createSecret', 'r2');
    await runRotationStep(deps, 'setSecret', 'r2');
    await runRotationStep(deps, 'testSecret', 'r2');
    // A build that stored its own generation 2 (an upgrade) between the steps.
    const current = staged.current();
    if (!current) throw new Error('no set');
    const theirs = await staged.source.save(rotateSigningKeySet(current, clock.now, timing));
    await expect(runRotationStep(deps, 'finishSecret', 'r2')).rejects.toThrow(/changed/);
    expect(staged.current()).toEqual(theirs);
    expect(staged.stagesOf('r2')).toEqual([]);
    await rotate('r3');
    expect(staged.current()?.generation).toBe(3);
  });

  it('refuses a version that is not pending', async () => {
    const { deps, staged } = setUp();
    staged.beginRotation('r1');
    await expect(runRotationStep(deps, 'createSecret', 'nope')).rejects.toThrow(/not a version/);
    await expect(ensureSigningKeySet(staged.source, T0)).resolves.toMatchObject({ generation: 1 });
  });
});
