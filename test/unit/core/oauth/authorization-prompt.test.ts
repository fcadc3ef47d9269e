import { describe, expect, it } from 'vitest';
import {
  needsFreshSignIn,
  readSignInRequirements,
  type SignInRequirements,
} from '../../../../src/core/oauth/authorization-prompt';

const read = (query: Record<string, string>) => readSignInRequirements((name) => query[name] ?? '');

const wants = (query: Record<string, string>) => read(query) as SignInRequirements;

describe('readSignInRequirements', () => {
  it('reads prompt, max_age, login_hint and nonce', () => {
    expect(
      read({ prompt: 'login consent', max_age: '60', login_hint: 'ann', nonce: 'n-1' }),
    ).toEqual({
      noPage: false,
      login: true,
      consent: true,
      maxAgeSeconds: 60,
      loginHint: 'ann',
      nonce: 'n-1',
      signedInAfter: null,
    });
  });

  it('refuses none with another value, a malformed max_age and an oversized nonce', () => {
    expect(read({ prompt: 'none login' })).toHaveProperty('invalid');
    expect(read({ max_age: '-1' })).toHaveProperty('invalid');
    expect(read({ max_age: '1.5' })).toHaveProperty('invalid');
    expect(read({ nonce: 'n'.repeat(513) })).toHaveProperty('invalid');
    // Values OIDC leaves to the provider are ignored, as before.
    expect(wants({ prompt: 'none select_account' }).noPage).toBe(true);
  });

  it('drops an oversized login_hint rather than trusting it', () => {
    expect(wants({ login_hint: 'a'.repeat(321) }).loginHint).toBe('');
  });
});

describe('needsFreshSignIn', () => {
  const now = 1_800_000_000_000;
  it('prompt=login always, unless this is the sign-in it was sent for', () => {
    expect(needsFreshSignIn(wants({ prompt: 'login' }), now - 1, now)).toBe(true);
    // The mark comes only from fresh-sign-in-marker.ts, once verified; the URL's is not read.
    expect(wants({ prompt: 'login', signed_in_after: String(now - 10) }).signedInAfter).toBeNull();
    const marked = { ...wants({ prompt: 'login' }), signedInAfter: now - 10 };
    expect(needsFreshSignIn(marked, now - 5, now)).toBe(false);
    expect(needsFreshSignIn(marked, now - 20, now)).toBe(true);
    // A mark older than its lifetime vouches for nothing.
    const stale = { ...wants({ prompt: 'login' }), signedInAfter: now - 11 * 60 * 1000 };
    expect(needsFreshSignIn(stale, now - 60_000, now)).toBe(true);
  });

  it('max_age: only a sign-in older than it', () => {
    expect(needsFreshSignIn(wants({ max_age: '60' }), now - 60_000, now)).toBe(false);
    expect(needsFreshSignIn(wants({ max_age: '60' }), now - 60_001, now)).toBe(true);
    expect(needsFreshSignIn(wants({ max_age: '0' }), now - 1, now)).toBe(true);
    expect(needsFreshSignIn(wants({}), 0, now)).toBe(false);
  });
});
