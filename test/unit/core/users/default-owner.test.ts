import { describe, expect, it } from 'vitest';
import { signInWithPassword } from '../../../../src/core/sessions/sign-in';
import { ensureDefaultOwner } from '../../../../src/core/users/default-owner';
import { createMemoryStore } from '../../../../src/store/memory-store';
import { testDeps } from '../../../support/core-deps';

const none = async () => undefined;

describe('default owner', () => {
  it('creates the owner from the settings with the given password', async () => {
    const deps = testDeps({
      DEFAULT_OWNER_EMAIL: 'Boss@Example.com',
      DEFAULT_OWNER_USERNAME: 'boss',
    });
    const result = await ensureDefaultOwner(deps, async () => 'a strong owner passphrase');
    expect(result).toMatchObject({
      created: true,
      user: { email: 'Boss@Example.com', role: 'owner', status: 'active' },
    });
    expect(result.generatedPassword).toBeUndefined();
    const signedIn = await signInWithPassword(deps, {
      login: 'boss',
      password: 'a strong owner passphrase',
    });
    expect(signedIn.user.role).toBe('owner');
  });

  it('generates a strong password when none is set, and it works', async () => {
    const deps = testDeps();
    const result = await ensureDefaultOwner(deps, none);
    expect(result.generatedPassword).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(result.generatedPassword).not.toBe('admin');
    const signedIn = await signInWithPassword(deps, {
      login: 'owner@example.com',
      password: result.generatedPassword as string,
    });
    expect(signedIn.user.username).toBe('owner');
  });

  it('does nothing when an owner exists', async () => {
    const deps = testDeps();
    await ensureDefaultOwner(deps, none);
    expect(await ensureDefaultOwner(deps, none)).toEqual({ created: false });
  });

  it('makes exactly one owner when many cold starts race', async () => {
    const store = createMemoryStore();
    const starts = Array.from({ length: 6 }, () => testDeps({}, store));
    const results = await Promise.all(starts.map((deps) => ensureDefaultOwner(deps, none)));
    expect(results.filter((r) => r.created)).toHaveLength(1);
  });

  it('refuses the username as the owner password', async () => {
    const deps = testDeps({ DEFAULT_OWNER_USERNAME: 'chief-operator' });
    await expect(ensureDefaultOwner(deps, async () => 'Chief-Operator')).rejects.toThrow(
      'DEFAULT_OWNER_PASSWORD must not be your email or username',
    );
  });

  it.each([
    ['too short', 'short'],
    ['common', 'password1234'],
  ])(
    'refuses a weak DEFAULT_OWNER_PASSWORD (%s) with a clear message',
    async (_label, password) => {
      const deps = testDeps();
      await expect(ensureDefaultOwner(deps, async () => password)).rejects.toThrow(
        /DEFAULT_OWNER_PASSWORD/,
      );
      expect(await deps.store.countActiveOwners()).toBe(0);
    },
  );
});
