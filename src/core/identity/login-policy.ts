import type { Config } from '../shared/config';
import { GatehouseError } from '../shared/errors';
import { type Role, roleRank } from '../users/roles';
import { JWT_PROVIDER } from '../users/users';
import type { IdentityProvider } from './provider-config';
import type { SsoConfig } from './sso-config';

/**
 * What a federated login may do to the account it signs in to: the one place that decides it
 * for JWT SSO (the SSO_* settings) and for each OIDC provider (its IDENTITY_PROVIDERS entry).
 */
export interface LoginPolicy {
  /** Status of an account a first login creates. */
  newUsers: 'active' | 'pending';
  /** Role of a new account, and of every account at each login when no mapped group applies. */
  defaultRole: Exclude<Role, 'owner'>;
  /** The provider's groups are stored on the account at each login. */
  syncGroups: boolean;
  /** Group mappings set the role at each login (the highest mapped role wins). */
  mapsRoles: boolean;
  groupMappings: Record<string, Role>;
}

export const providerPolicy = (provider: IdentityProvider): LoginPolicy => ({
  newUsers: provider.newUsers,
  defaultRole: provider.defaultRole,
  syncGroups: provider.claims.groups !== null,
  mapsRoles: Object.keys(provider.groupMappings).length > 0,
  groupMappings: provider.groupMappings,
});

/** JWT SSO's: the SSO_* settings; roles follow mappings only with SSO_GROUP_SYNC. */
export const ssoPolicy = (sso: SsoConfig): LoginPolicy => ({
  newUsers: sso.newUsers,
  defaultRole: sso.defaultRole,
  syncGroups: sso.groupSync,
  mapsRoles: sso.groupSync && Object.keys(sso.groupMappings).length > 0,
  groupMappings: sso.groupMappings,
});

/** The policy for an identity's provider: `jwt` and `jwt:<iss>` are JWT SSO's. */
export const loginPolicyFor = (config: Config, providerId: string): LoginPolicy => {
  if (providerId === JWT_PROVIDER || providerId.startsWith(`${JWT_PROVIDER}:`)) {
    if (!config.sso) throw new GatehouseError('not_found', 'SSO is not set up here.');
    return ssoPolicy(config.sso);
  }
  const provider = config.identityProviders.find((p) => p.id === providerId);
  if (!provider) throw new GatehouseError('not_found', 'No such identity provider.');
  return providerPolicy(provider);
};

/**
 * The role group mappings give: the highest mapped group's; unmapped groups give nothing;
 * `owner` only through an explicit mapping; the default role when no group is mapped. Null
 * when the policy maps no roles, so the role is left alone.
 */
export const roleFromGroups = (groups: string[], policy: LoginPolicy): Role | null => {
  if (!policy.mapsRoles) return null;
  // Own keys only: a group named `constructor` or `toString` must map to nothing, not to
  // what every object inherits.
  const mapped = groups
    .filter((group) => Object.hasOwn(policy.groupMappings, group))
    .map((group) => policy.groupMappings[group] as Role);
  if (mapped.length === 0) return policy.defaultRole;
  return mapped.reduce((best, role) => (roleRank(role) > roleRank(best) ? role : best));
};
