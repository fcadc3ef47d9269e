import { describe, expect, it } from 'vitest';
import { federatedLoginFromClaims } from '../../../../src/core/identity/federated-claims';
import { identityProvidersFromEnv } from '../../../../src/core/identity/provider-config';

const provider = (entry: Record<string, unknown> = {}) =>
  identityProvidersFromEnv({
    IDENTITY_PROVIDERS: JSON.stringify([
      { id: 'corp', name: 'Corp', issuer: 'https://idp.example.com', client_id: 'gh', ...entry },
    ]),
  })[0] as NonNullable<ReturnType<typeof identityProvidersFromEnv>[number]>;

describe('an OIDC provider’s claims as a federated login', () => {
  it('is identified by (provider id, sub), whatever the email', () => {
    const { login } = federatedLoginFromClaims(provider(), {
      sub: 'abc-123',
      email: 'Ada@Example.com',
      email_verified: true,
    });
    expect(login.identity).toEqual({ provider: 'corp', subject: 'abc-123' });
    expect(login.email).toBe('Ada@Example.com');
  });

  it('vouches for the email only with trust_email and email_verified boolean true', () => {
    const claims = (email_verified: unknown) => ({ sub: 's', email: 'a@b.co', email_verified });
    expect(federatedLoginFromClaims(provider(), claims(true)).login.emailTrusted).toBe(false);
    const trusted = provider({ trust_email: true });
    expect(federatedLoginFromClaims(trusted, claims(true)).login.emailTrusted).toBe(true);
    for (const value of ['true', 1, undefined, null, false]) {
      expect(federatedLoginFromClaims(trusted, claims(value)).login.emailTrusted).toBe(false);
    }
  });

  it('maps name, groups and attributes through the claims names, never role, status or id', () => {
    const corp = provider({ claims: { email: 'mail', name: 'display_name', groups: 'roles' } });
    const { profile } = federatedLoginFromClaims(corp, {
      sub: 's',
      iss: 'https://idp.example.com',
      aud: 'gh',
      nonce: 'n',
      mail: 'ada@example.com',
      display_name: ' Ada Lovelace ',
      roles: ['admins', 'admins', 7, ''],
      department: 'Maths',
      role: 'owner',
      status: 'active',
      id: 'someone-else',
      email_verified: true,
    });
    expect(profile).toEqual({
      email: 'ada@example.com',
      name: 'Ada Lovelace',
      groups: ['admins'],
      attributes: { department: 'Maths' },
    });
  });

  it('takes no groups when the provider names no groups claim', () => {
    const { profile } = federatedLoginFromClaims(provider(), {
      sub: 's',
      email: 'a@b.co',
      groups: ['admins'],
    });
    expect(profile.groups).toEqual([]);
    expect(profile.attributes).toEqual({});
  });

  it('refuses a login with no usable email or sub (401)', () => {
    expect(() => federatedLoginFromClaims(provider(), { sub: 's', email: 'not an email' })).toThrow(
      expect.objectContaining({ code: 'token_invalid' }),
    );
    expect(() =>
      federatedLoginFromClaims(provider(), { sub: 'x'.repeat(513), email: 'a@b.co' }),
    ).toThrow(expect.objectContaining({ code: 'token_invalid' }));
  });
});
