import { describe, expect, it } from 'vitest';
import {
  consentCovers,
  grantScopes,
  InvalidScopeError,
  parseScope,
  sessionTokenScopes,
} from '../../../../src/core/oauth/oauth-scopes';
import { defaultScopeCatalog as catalog } from '../../../../src/core/users/roles';

describe('OAuth scope rules', () => {
  it('parses a space-separated scope; blank is none; malformed is invalid_scope', () => {
    expect(parseScope(undefined)).toBeNull();
    expect(parseScope('  ')).toBeNull();
    expect(parseScope('openid  profile openid')).toEqual(['openid', 'profile']);
    expect(() => parseScope('a"b')).toThrow(InvalidScopeError);
  });

  it('without scope: the role’s grants for a first-party client, profile for a third-party one', () => {
    expect(grantScopes(catalog, 'owner', null, true)).toEqual([...catalog.owner]);
    expect(grantScopes(catalog, 'owner', null, false)).toEqual(['profile']);
  });

  it('gives what is asked when held (the OpenID scopes by everyone), else invalid_scope', () => {
    expect(grantScopes(catalog, 'viewer', ['openid', 'email', 'offline_access'], false)).toEqual([
      'openid',
      'email',
      'offline_access',
    ]);
    expect(grantScopes(catalog, 'owner', ['users:write'], false)).toEqual(['users:write']);
    expect(() => grantScopes(catalog, 'viewer', ['users:write'], true)).toThrow(InvalidScopeError);
    expect(() => grantScopes(catalog, 'owner', ['made:up'], true)).toThrow(InvalidScopeError);
  });

  it('a session’s tokens: at most its grant and the current role; a refresh only narrows', () => {
    const granted = ['openid', 'users:write', 'users:read'];
    expect(sessionTokenScopes(catalog, 'owner', granted)).toEqual(granted);
    // Demoted to viewer: the admin scopes are gone from every later token.
    expect(sessionTokenScopes(catalog, 'viewer', granted)).toEqual(['openid']);
    expect(sessionTokenScopes(catalog, 'owner', granted, ['users:read'])).toEqual(['users:read']);
    expect(() => sessionTokenScopes(catalog, 'owner', granted, ['clients:write'])).toThrow(
      InvalidScopeError,
    );
    // A client-less sign-in's session: the role's grants.
    expect(sessionTokenScopes(catalog, 'admin', undefined)).toEqual([...catalog.admin]);
  });

  it('a remembered consent covers a request within it', () => {
    expect(consentCovers(['profile', 'email'], ['email'])).toBe(true);
    expect(consentCovers(['profile'], ['profile', 'email'])).toBe(false);
  });
});
