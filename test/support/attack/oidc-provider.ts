import { type Role, roleRank } from '../../../src/core/users/roles';

/**
 * The OIDC provider of the attack world (`idp`): its people, each with a stable `sub` and the
 * address the provider verified for them, the groups it may assert, and the entry the
 * operator configured (random trust_email, new_users, default_role and group_mappings, owner
 * mappings included). Eve has an account there too: providers like Google let anyone in.
 */

export const OIDC_PROVIDER = 'idp';

export const OIDC_PEOPLE = ['ceo', 'pat', 'eve'] as const;
export type OidcPerson = (typeof OIDC_PEOPLE)[number];

export const OIDC_SUBJECT: Record<OidcPerson, string> = {
  ceo: 'idp-sub-ceo',
  pat: 'idp-sub-pat',
  eve: 'idp-sub-eve',
};

/** The address the provider verified for each of its people: their own mailbox. */
export const OIDC_OWN_EMAIL: Record<OidcPerson, string> = {
  ceo: 'ceo@corp.test',
  pat: 'pat@corp.test',
  eve: 'eve@evil.test',
};

export const OIDC_GROUPS = ['o-owner', 'o-admin', 'o-editor', 'o-staff'];
/** Every mapping the operator may configure; each run takes a random subset. */
export const OIDC_MAPPINGS: [string, Role][] = [
  ['o-owner', 'owner'],
  ['o-admin', 'admin'],
  ['o-editor', 'editor'],
  ['o-staff', 'viewer'],
];

export interface OidcSettings {
  trustEmail: boolean;
  newUsersPending: boolean;
  defaultRole: Exclude<Role, 'owner'>;
  mappings: Record<string, Role>;
}

export const defaultOidcSettings: OidcSettings = {
  trustEmail: false,
  newUsersPending: false,
  defaultRole: 'viewer',
  mappings: {},
};

/** The IDENTITY_PROVIDERS entry the operator wrote for these settings. */
export const oidcProviderEntry = (settings: OidcSettings) => ({
  id: OIDC_PROVIDER,
  name: 'Corporate IdP',
  issuer: 'https://idp.attack.test',
  client_id: 'gatehouse',
  client_secret: 'attack-world-client-secret',
  claims: { groups: 'groups' },
  trust_email: settings.trustEmail,
  new_users: settings.newUsersPending ? 'pending' : 'active',
  default_role: settings.defaultRole,
  group_mappings: settings.mappings,
});

/**
 * What the operator's entry gives a login with these groups (computed here, not by the code
 * under test): the highest mapped role, else the default role.
 */
export const oidcEntitlement = (settings: OidcSettings, groups: string[]): Role => {
  const mapped = groups
    .filter((group) => Object.hasOwn(settings.mappings, group))
    .map((group) => settings.mappings[group] as Role);
  if (mapped.length === 0) return settings.defaultRole;
  return mapped.reduce((best, role) => (roleRank(role) > roleRank(best) ? role : best));
};
