import { describe, expect, it } from 'vitest';
import {
  identityProvidersFromEnv,
  usersImportProviderFromEnv,
} from '../../../../src/core/identity/provider-config';
import { loadConfig } from '../../../../src/core/shared/config';

/** IDENTITY_PROVIDERS is validated at start: a bad entry stops it, naming provider and field. */
const minimal = {
  id: 'globus',
  name: 'Globus',
  issuer: 'https://auth.globus.org',
  client_id: 'c1',
};
const parse = (entries: unknown) =>
  identityProvidersFromEnv({ IDENTITY_PROVIDERS: JSON.stringify(entries) });
const one = (entry: Record<string, unknown>) => parse([{ ...minimal, ...entry }])[0];
const refusal = (entries: unknown): string => {
  try {
    parse(entries);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('accepted');
};

describe('IDENTITY_PROVIDERS: what is refused, and how it is named', () => {
  it.each([
    ['a missing client_id', { client_id: undefined }, 'client_id'],
    ['an empty client_id', { client_id: '  ' }, 'client_id'],
    ['a blank name', { name: ' ' }, 'name'],
    ['an issuer that is no URL', { issuer: 'auth.globus.org' }, 'issuer'],
    ['an issuer of another scheme', { issuer: 'ftp://auth.globus.org' }, 'issuer'],
    [
      'an unknown auth method',
      { token_endpoint_auth_method: 'private_key_jwt' },
      'token_endpoint_auth_method',
    ],
    ['a scope with a space', { scopes: ['openid email'] }, 'scopes.0'],
    ['an empty claim name', { claims: { groups: '' } }, 'claims.groups'],
    ['new users neither active nor pending', { new_users: 'approved' }, 'new_users'],
    ['owner as the default role', { default_role: 'owner' }, 'default_role'],
    ['a mapping to no role', { group_mappings: { staff: 'superuser' } }, 'group_mappings.staff'],
    ['trust_email as a string', { trust_email: 'true' }, 'trust_email'],
    ['trust_mfa as a number', { trust_mfa: 1 }, 'trust_mfa'],
  ])('%s', (_, change, field) => {
    expect(refusal([{ ...minimal, ...change }])).toMatch(
      new RegExp(`^Invalid settings: IDENTITY_PROVIDERS: provider 0 \\(globus\\): ${field}: `),
    );
  });

  it('names the entry by position when it has no usable id, and the id field when it is bad', () => {
    expect(refusal([minimal, { ...minimal, id: 'Google' }])).toMatch(
      /provider 1 \(Google\): id: must be 1-32 of a-z 0-9/,
    );
    expect(refusal([minimal, 'google'])).toMatch(/provider 1: entry: .*expected object/);
    expect(refusal([{ ...minimal, id: 'x'.repeat(33) }])).toMatch(/provider 0 \(x+\): id:/);
    expect(refusal([{ ...minimal, id: 'a/b' }])).toMatch(/provider 0 \(a\/b\): id:/);
  });

  it('refuses an unknown field by its name (a misspelt client_secret is not silently public)', () => {
    expect(refusal([{ ...minimal, client_secrte: 's3cret' }])).toMatch(
      /provider 0 \(globus\): .*"client_secrte"/,
    );
  });

  it('names the provider when an auth method needs the secret it lacks', () => {
    for (const method of ['client_secret_basic', 'client_secret_post']) {
      expect(refusal([{ ...minimal, token_endpoint_auth_method: method }])).toMatch(
        new RegExp(`provider globus: token_endpoint_auth_method: ${method} needs a client_secret`),
      );
    }
  });

  it('refuses trust_email with an email from another claim: email_verified vouches only for `email`', () => {
    expect(
      refusal([{ ...minimal, trust_email: true, claims: { email: 'preferred_username' } }]),
    ).toMatch(/provider globus: trust_email: true needs claims.email "email"/);
    expect(one({ trust_email: false, claims: { email: 'preferred_username' } })?.claims.email).toBe(
      'preferred_username',
    );
  });

  it('refuses the id `jwt`, which names JWT SSO identities', () => {
    expect(refusal([{ ...minimal, id: 'jwt' }])).toMatch(/id "jwt" is reserved for JWT SSO/);
  });

  it('refuses an id given twice, whatever else differs', () => {
    expect(
      refusal([minimal, { ...minimal, name: 'Other', issuer: 'https://other.example' }]),
    ).toMatch(/id "globus" is given twice/);
  });

  it('refuses what is not a JSON array', () => {
    expect(() => identityProvidersFromEnv({ IDENTITY_PROVIDERS: '[{' })).toThrow(
      /IDENTITY_PROVIDERS: is not valid JSON/,
    );
    expect(refusal(minimal)).toMatch(/IDENTITY_PROVIDERS: must be a JSON array/);
  });

  it('stops loadConfig, so no function starts with a bad list', () => {
    expect(() =>
      loadConfig({ IDENTITY_PROVIDERS: JSON.stringify([{ ...minimal, issuer: 'x' }]) }),
    ).toThrow(/IDENTITY_PROVIDERS: provider 0 \(globus\): issuer/);
  });
});

describe('IDENTITY_PROVIDERS: what an entry means', () => {
  it('is none when unset, empty or blank', () => {
    for (const value of [undefined, '', '  \n']) {
      expect(identityProvidersFromEnv({ IDENTITY_PROVIDERS: value })).toEqual([]);
    }
    expect(parse([])).toEqual([]);
  });

  it('fills the defaults: a public client, openid email profile, active viewers, nothing trusted', () => {
    expect(one({})).toEqual({
      id: 'globus',
      name: 'Globus',
      issuer: 'https://auth.globus.org',
      clientId: 'c1',
      clientSecret: null,
      tokenEndpointAuth: 'none',
      scopes: ['openid', 'email', 'profile'],
      claims: { email: 'email', name: 'name', groups: null },
      newUsers: 'active',
      defaultRole: 'viewer',
      groupMappings: {},
      trustEmail: false,
      trustMfa: false,
    });
  });

  it('keeps every field given', () => {
    expect(
      one({
        client_secret: 's3cret',
        token_endpoint_auth_method: 'client_secret_post',
        scopes: ['openid', 'email'],
        claims: { email: 'email', name: 'display_name', groups: 'groups' },
        new_users: 'pending',
        default_role: 'editor',
        group_mappings: { staff: 'admin', root: 'owner' },
        trust_email: true,
        trust_mfa: true,
      }),
    ).toMatchObject({
      clientSecret: 's3cret',
      tokenEndpointAuth: 'client_secret_post',
      scopes: ['openid', 'email'],
      claims: { email: 'email', name: 'display_name', groups: 'groups' },
      newUsers: 'pending',
      defaultRole: 'editor',
      groupMappings: { staff: 'admin', root: 'owner' },
      trustEmail: true,
      trustMfa: true,
    });
  });

  it('authenticates with client_secret_basic when a secret comes without a method', () => {
    expect(one({ client_secret: 's3cret' })).toMatchObject({
      clientSecret: 's3cret',
      tokenEndpointAuth: 'client_secret_basic',
    });
  });

  it('drops the secret of a client declared public (`none`): it is never sent', () => {
    expect(one({ client_secret: 's3cret', token_endpoint_auth_method: 'none' })).toMatchObject({
      clientSecret: null,
      tokenEndpointAuth: 'none',
    });
  });

  it('always asks for openid (an ID token), once, first when it was missing', () => {
    expect(one({ scopes: ['email', 'groups'] })?.scopes).toEqual(['openid', 'email', 'groups']);
    expect(one({ scopes: ['profile', 'openid'] })?.scopes).toEqual(['profile', 'openid']);
    expect(one({ scopes: [] })?.scopes).toEqual(['openid']);
  });

  it('fills claims one by one: an unset claim keeps its default', () => {
    expect(one({ claims: { groups: 'roles' } })?.claims).toEqual({
      email: 'email',
      name: 'name',
      groups: 'roles',
    });
  });

  it('keeps the providers in the order given (the sign-in page’s order)', () => {
    const ids = parse(['b', 'a', 'c'].map((id) => ({ ...minimal, id }))).map((p) => p.id);
    expect(ids).toEqual(['b', 'a', 'c']);
  });
});

describe('USERS_IMPORT_PROVIDER', () => {
  const two = parse([minimal, { ...minimal, id: 'google', issuer: 'https://accounts.google.com' }]);

  it('defaults to the only provider', () => {
    expect(usersImportProviderFromEnv({}, parse([minimal]))).toBe('globus');
  });

  it('is none without a provider, or with several and none named', () => {
    expect(usersImportProviderFromEnv({}, [])).toBeNull();
    expect(usersImportProviderFromEnv({}, two)).toBeNull();
  });

  it('names one of several', () => {
    expect(usersImportProviderFromEnv({ USERS_IMPORT_PROVIDER: 'google' }, two)).toBe('google');
  });

  it('refuses an id that is not a provider, even with no provider at all', () => {
    expect(() => usersImportProviderFromEnv({ USERS_IMPORT_PROVIDER: 'okta' }, two)).toThrow(
      /USERS_IMPORT_PROVIDER: "okta" is not an id in IDENTITY_PROVIDERS/,
    );
    expect(() => usersImportProviderFromEnv({ USERS_IMPORT_PROVIDER: 'okta' }, [])).toThrow(
      /USERS_IMPORT_PROVIDER/,
    );
  });

  it('reaches the config through loadConfig', () => {
    const config = loadConfig({ IDENTITY_PROVIDERS: JSON.stringify([minimal]) });
    expect(config.identityProviders.map((p) => p.id)).toEqual(['globus']);
    expect(config.usersImportProvider).toBe('globus');
    expect(() =>
      loadConfig({ IDENTITY_PROVIDERS: JSON.stringify([minimal]), USERS_IMPORT_PROVIDER: 'jwt' }),
    ).toThrow(/USERS_IMPORT_PROVIDER/);
  });
});
