import { describe, expect, it } from 'vitest';
import { roleFromGroups, ssoPolicy } from '../../../../src/core/identity/login-policy';
import { allowedOriginsFromEnv, checkReturnTo } from '../../../../src/core/identity/return-to';
import { ssoConfigFromEnv } from '../../../../src/core/identity/sso-config';
import { profileFromClaims } from '../../../../src/core/identity/sso-sign-in';

const policy = {
  ownOrigin: 'https://auth.example.com',
  allowedOrigins: ['https://app.example.com'],
};
const base = { SSO_JWT_SECRET: 'sixteen chars min!!' };

describe('return_to', () => {
  it.each([
    '/',
    '/console?tab=tokens',
    'https://auth.example.com/console',
    'https://app.example.com',
    'https://app.example.com/x?y=1',
  ])('takes %s', (value) => {
    expect(checkReturnTo(value, policy)).toBe(value);
  });

  it.each([
    '//evil.example',
    '/\\evil.example',
    '/%5cevil.example',
    '/%2e%2e/x',
    'https://evil.example',
    'https://app.example.com@evil.example',
    'https://app.example.com.evil.example',
    'https://app.example.com:8443/',
    'javascript:alert(1)',
    'data:text/html,x',
    '/a\u0000b',
    '/a b',
    '',
    `/${'a'.repeat(2048)}`,
  ])('refuses %j', (value) => {
    expect(() => checkReturnTo(value, policy)).toThrow(/return_to/);
  });

  it('reads ALLOWED_REDIRECT_ORIGINS, refusing anything but bare origins', () => {
    expect(allowedOriginsFromEnv(' https://a.example , http://localhost:5173 ')).toEqual([
      'https://a.example',
      'http://localhost:5173',
    ]);
    expect(() => allowedOriginsFromEnv('https://a.example/path')).toThrow(/origin/);
    expect(() => allowedOriginsFromEnv('ftp://a.example')).toThrow(/origin/);
  });
});

describe('SSO settings', () => {
  it('is off without a key source, and reads the defaults', () => {
    expect(ssoConfigFromEnv({})).toBeNull();
    expect(ssoConfigFromEnv(base)).toMatchObject({
      maxAgeSeconds: 180,
      attributes: { email: 'email', firstName: 'first_name', lastName: 'last_name' },
      newUsers: 'active',
      defaultRole: 'viewer',
      groupSync: false,
      groupMappings: {},
    });
  });

  it.each([
    ['a short secret', { SSO_JWT_SECRET: 'short' }],
    ['an owner default role', { ...base, SSO_DEFAULT_ROLE: 'owner' }],
    ['mappings that are not JSON', { ...base, SSO_GROUP_MAPPINGS: '{' }],
    ['a mapping to an unknown role', { ...base, SSO_GROUP_MAPPINGS: '{"a":"boss"}' }],
    ['a bad JWKS URL', { SSO_JWKS_URL: 'not a url' }],
  ])('stops the start on %s', (_label, env) => {
    expect(() => ssoConfigFromEnv(env)).toThrow(/Invalid settings: SSO_/);
  });
});

describe('SSO claims', () => {
  const config = ssoConfigFromEnv({
    ...base,
    SSO_GROUP_SYNC: '1',
    SSO_GROUP_MAPPINGS: '{"admins":"admin","founders":"owner","eds":"editor"}',
    SSO_ATTR_EMAIL: 'mail',
  });
  if (!config) throw new Error('config');

  it('reads the profile through SSO_ATTR_*, and the rest as attributes', () => {
    const profile = profileFromClaims(
      {
        mail: ' Ann@Example.com ',
        first_name: 'Ann',
        last_name: 'Lee',
        groups: ['a', 'a', 3, 'b'],
        exp: 1,
        iat: 1,
        role: 'owner',
        status: 'active',
        dept: 'R&D',
        level: 3,
        __proto__x: 'no',
      },
      config,
    );
    expect(profile).toEqual({
      email: 'Ann@Example.com',
      name: 'Ann Lee',
      groups: ['a', 'b'],
      attributes: { dept: 'R&D', level: '3' },
    });
  });

  it('refuses a token without a usable email', () => {
    expect(() => profileFromClaims({ email: 'x@y.z', exp: 1 }, config)).toThrow(/mail/);
  });

  it('maps groups: the highest wins, unmapped give the default, owner only when mapped', () => {
    expect(roleFromGroups(['eds', 'admins', 'other'], ssoPolicy(config))).toBe('admin');
    expect(roleFromGroups(['other'], ssoPolicy(config))).toBe('viewer');
    expect(roleFromGroups(['founders'], ssoPolicy(config))).toBe('owner');
    const noSync = ssoConfigFromEnv({ ...base, SSO_GROUP_MAPPINGS: '{"admins":"admin"}' });
    expect(roleFromGroups(['admins'], ssoPolicy(noSync as NonNullable<typeof noSync>))).toBeNull();
  });
});
