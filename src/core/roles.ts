export const ROLES = ['viewer', 'editor', 'admin', 'owner'] as const;
export type Role = (typeof ROLES)[number];

export const roleRank = (role: Role): number => ROLES.indexOf(role);

export const isAtLeast = (role: Role, minimum: Role): boolean =>
  roleRank(role) >= roleRank(minimum);

/** Each role's own scopes; a role also holds every scope of the roles below it. */
const OWN_SCOPES: Record<Role, readonly string[]> = {
  viewer: [
    'profile',
    'tokens:read',
    'tokens:write',
    'read_user_session',
    'read_all_session',
    'model_download',
    'cli',
  ],
  editor: [
    'create_session',
    'start_session',
    'custom_model',
    'cancel_user_session',
    'delete_user_session',
    'revoke_user_token',
  ],
  admin: ['users:read', 'users:write', 'audit:read', 'tokens:introspect', 'clients:read'],
  owner: ['clients:write'],
};

export type ScopeCatalog = Record<Role, readonly string[]>;

/** The contract's default grants, cumulative by role. */
export const defaultScopeCatalog: ScopeCatalog = Object.fromEntries(
  ROLES.map((role, index) => [role, ROLES.slice(0, index + 1).flatMap((r) => OWN_SCOPES[r])]),
) as unknown as ScopeCatalog;

export const scopesForRole = (catalog: ScopeCatalog, role: Role): readonly string[] =>
  catalog[role];
