import { describe, expect, it } from 'vitest';
import {
  type LoginPolicy,
  loginPolicyFor,
  providerPolicy,
  roleFromGroups,
} from '../../../../src/core/identity/login-policy';
import { loadConfig } from '../../../../src/core/shared/config';

/** What a provider's IDENTITY_PROVIDERS entry lets its logins do to roles and groups. */
const provider = (entry: Record<string, unknown>) => ({
  id: 'okta',
  name: 'Okta',
  issuer: 'https://example.okta.com',
  client_id: 'c1',
  ...entry,
});
const configWith = (entries: Record<string, unknown>[], env: Record<string, string> = {}) =>
  loadConfig({ IDENTITY_PROVIDERS: JSON.stringify(entries.map(provider)), ...env });
const policyOf = (entry: Record<string, unknown>): LoginPolicy =>
  loginPolicyFor(configWith([entry]), 'okta');

const mapped = policyOf({
  default_role: 'editor',
  claims: { groups: 'groups' },
  group_mappings: { readers: 'viewer', staff: 'admin', writers: 'editor', root: 'owner' },
});

describe('a provider’s login policy', () => {
  it('takes new users’ status and role from the entry', () => {
    expect(policyOf({ new_users: 'pending', default_role: 'admin' })).toMatchObject({
      newUsers: 'pending',
      defaultRole: 'admin',
    });
    expect(policyOf({})).toMatchObject({ newUsers: 'active', defaultRole: 'viewer' });
  });

  it('syncs groups only with a groups claim, and maps roles only with mappings', () => {
    expect(policyOf({})).toMatchObject({ syncGroups: false, mapsRoles: false });
    expect(policyOf({ claims: { groups: 'groups' } })).toMatchObject({
      syncGroups: true,
      mapsRoles: false,
    });
    expect(policyOf({ group_mappings: { staff: 'admin' } })).toMatchObject({
      syncGroups: false,
      mapsRoles: true,
    });
  });

  it('is each provider’s own', () => {
    const config = configWith([
      { id: 'okta', new_users: 'pending' },
      { id: 'google', new_users: 'active', group_mappings: { a: 'admin' } },
    ]);
    expect(loginPolicyFor(config, 'okta')).toMatchObject({ newUsers: 'pending', mapsRoles: false });
    expect(loginPolicyFor(config, 'google')).toMatchObject({ newUsers: 'active', mapsRoles: true });
  });

  it('refuses a provider that is not configured (404), and JWT SSO when it is off', () => {
    const config = configWith([{}]);
    expect(() => loginPolicyFor(config, 'google')).toThrow(
      expect.objectContaining({ code: 'not_found' }),
    );
    for (const jwt of ['jwt', 'jwt:https://idp.example.com']) {
      expect(() => loginPolicyFor(config, jwt)).toThrow(
        expect.objectContaining({ code: 'not_found' }),
      );
    }
  });

  it('gives `jwt` and `jwt:<iss>` identities JWT SSO’s policy, never a provider’s', () => {
    const config = configWith([{ new_users: 'active' }], {
      SSO_JWT_SECRET: 'x'.repeat(32),
      SSO_NEW_USERS: 'pending',
      SSO_GROUP_MAPPINGS: JSON.stringify({ staff: 'admin' }),
    });
    for (const jwt of ['jwt', 'jwt:https://idp.example.com']) {
      // Mappings without SSO_GROUP_SYNC leave roles alone.
      expect(loginPolicyFor(config, jwt)).toMatchObject({ newUsers: 'pending', mapsRoles: false });
    }
    expect(providerPolicy(config.identityProviders[0] as never)).toMatchObject({
      newUsers: 'active',
    });
  });
});

describe('roleFromGroups on a provider’s policy', () => {
  it('gives the highest mapped role, whatever the order of the groups', () => {
    expect(roleFromGroups(['readers', 'staff', 'writers'], mapped)).toBe('admin');
    expect(roleFromGroups(['writers', 'readers'], mapped)).toBe('editor');
    expect(roleFromGroups(['readers'], mapped)).toBe('viewer');
  });

  it('gives the default role when no group is mapped (even one below it is not)', () => {
    expect(roleFromGroups([], mapped)).toBe('editor');
    expect(roleFromGroups(['unknown', 'Staff'], mapped)).toBe('editor');
  });

  it('lets a mapped group lower the role below the default', () => {
    expect(roleFromGroups(['readers', 'unknown'], mapped)).toBe('viewer');
  });

  it('gives owner only through an explicit mapping', () => {
    expect(roleFromGroups(['root', 'staff'], mapped)).toBe('owner');
    expect(roleFromGroups(['owner', 'admin', 'Owners'], mapped)).toBe('editor');
    const noOwner = policyOf({ group_mappings: { staff: 'admin' } });
    expect(roleFromGroups(['owner', 'root'], noOwner)).toBe('viewer');
  });

  it('maps nothing from names every object inherits', () => {
    for (const group of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      expect(roleFromGroups([group], mapped)).toBe('editor');
    }
    expect(roleFromGroups(['constructor', 'writers'], mapped)).toBe('editor');
  });

  it('leaves the role alone (null) when the provider maps no roles, groups or not', () => {
    const unmapped = policyOf({ claims: { groups: 'groups' }, default_role: 'admin' });
    expect(roleFromGroups(['staff', 'root'], unmapped)).toBeNull();
    expect(roleFromGroups([], unmapped)).toBeNull();
  });
});
