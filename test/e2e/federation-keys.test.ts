import { afterEach, describe, expect, it, vi } from 'vitest';
import { toCallback, useFederationStack } from '../support/federation-stack';

/**
 * The provider's signing keys as openid-client keeps them (what the README promises): the
 * JWKS is cached; an ID token signed with a `kid` it has not seen fetches the JWKS again,
 * once the cached copy is a minute old (a cool-down, so forged kids cannot make us hammer
 * the provider). Time is moved with a fake `Date` (the local stack runs in this process).
 */
const { idp, stack } = await useFederationStack(
  {
    DEFAULT_OWNER_EMAIL: 'owner@fed-keys.test',
    DEFAULT_OWNER_PASSWORD: 'keys owner passphrase here',
  },
  [{ id: 'testidp', name: 'Test Provider' }],
);

afterEach(() => {
  vi.useRealTimers();
});

const login = async () => {
  const { callback, browser } = await toCallback(stack().url, 'testidp');
  return browser.get(callback);
};

describe('a provider that rotates its signing key', () => {
  it('is followed: the unknown kid fetches the JWKS again once the cached copy is a minute old', async () => {
    idp.setUser({ sub: 'sub-keys', email: 'keys@idp.test', email_verified: true });
    expect((await login()).status).toBe(302);

    await idp.rotateKey();
    // Within the cool-down the cached JWKS stands: the new kid is not found.
    const tooSoon = await login();
    expect(tooSoon.status).toBe(401);

    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 61_000);
    const later = await login();
    expect(later.status, later.body).toBe(302);
  });
});
