import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SCOPE_CLAIMS, userClaims } from '../../../../src/core/oauth/userinfo-claims';
import { propertyRuns } from '../../../support/property-runs';
import { aUser } from '../../../support/users';

const user = aUser({
  id: 'u-1',
  email: 'ada@example.com',
  username: 'ada',
  name: 'Ada Lovelace',
  emailVerified: true,
  updatedAt: Date.UTC(2026, 2, 4, 5, 6, 7, 890),
});

describe('userClaims: a user and granted scopes as OIDC claims', () => {
  it('openid alone releases only sub', () => {
    expect(userClaims(user, ['openid'])).toEqual({ sub: 'u-1' });
  });

  it('email releases email and a boolean email_verified', () => {
    expect(userClaims(user, ['openid', 'email'])).toEqual({
      sub: 'u-1',
      email: 'ada@example.com',
      email_verified: true,
    });
    const unproven = userClaims(aUser({ emailVerified: false }), ['email']);
    expect(unproven.email_verified).toBe(false);
    expect(typeof unproven.email_verified).toBe('boolean');
  });

  it('profile releases name, preferred_username and updated_at in whole Unix seconds', () => {
    expect(userClaims(user, ['openid', 'profile'])).toEqual({
      sub: 'u-1',
      name: 'Ada Lovelace',
      preferred_username: 'ada',
      updated_at: Math.floor(Date.UTC(2026, 2, 4, 5, 6, 7) / 1000),
    });
  });

  it('omits a claim the user lacks instead of sending null', () => {
    const bare = userClaims(aUser({ name: null, username: null }), ['profile']);
    expect(bare).not.toHaveProperty('name');
    expect(bare).not.toHaveProperty('preferred_username');
    expect(bare.updated_at).toBeTypeOf('number');
  });

  it('API scopes release nothing beyond sub', () => {
    expect(userClaims(user, ['users:read', 'tokens:write', 'offline_access'])).toEqual({
      sub: 'u-1',
    });
  });

  it('releases exactly the claims SCOPE_CLAIMS names for each scope', () => {
    for (const [scope, names] of Object.entries(SCOPE_CLAIMS)) {
      expect(Object.keys(userClaims(user, [scope])).sort()).toEqual(['sub', ...names].sort());
    }
  });

  it('never releases a claim of a scope not granted, nor a null one, whatever the user and scopes', () => {
    const pool = ['openid', 'profile', 'email', 'offline_access', 'users:read', 'tokens:write'];
    fc.assert(
      fc.property(
        fc.subarray(pool),
        fc.option(fc.string(), { nil: null }),
        fc.option(fc.string(), { nil: null }),
        fc.boolean(),
        fc.nat(),
        (scopes, name, username, emailVerified, updatedAt) => {
          const claims = userClaims(aUser({ name, username, emailVerified, updatedAt }), scopes);
          const allowed = [
            'sub',
            ...Object.entries(SCOPE_CLAIMS).flatMap(([scope, names]) =>
              scopes.includes(scope) ? names : [],
            ),
          ];
          for (const [claim, value] of Object.entries(claims)) {
            expect(allowed).toContain(claim);
            expect(value).not.toBeNull();
          }
          if (claims.updated_at !== undefined) {
            expect(Number.isInteger(claims.updated_at)).toBe(true);
          }
        },
      ),
      { numRuns: propertyRuns(200) },
    );
  });
});
