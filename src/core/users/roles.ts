export const ROLES = ['viewer', 'editor', 'admin', 'owner'] as const;
export type Role = (typeof ROLES)[number];

export const roleRank = (role: Role): number => ROLES.indexOf(role);

export const isAtLeast = (role: Role, minimum: Role): boolean =>
  roleRank(role) >= roleRank(minimum);

/** Gatehouse's own scopes, which its routes need: fixed, whatever the catalog says. */
const GATEHOUSE_SCOPES: Record<Role, readonly string[]> = {
  viewer: ['profile', 'tokens:read', 'tokens:write'],
  editor: [],
  admin: ['users:read', 'users:write', 'audit:read', 'tokens:introspect', 'clients:read'],
  owner: ['clients:write'],
};

/**
 * The scopes of the APIs Gatehouse protects, each role's own (a role also holds those of the
 * roles below it). The default is the contract's example API (integrate.ai's list);
 * SCOPE_CATALOG replaces it.
 */
export type ApiScopes = Record<Role, readonly string[]>;

export const DEFAULT_API_SCOPES: ApiScopes = {
  viewer: ['read_user_session', 'read_all_session', 'model_download', 'cli'],
  editor: [
    'create_session',
    'start_session',
    'custom_model',
    'cancel_user_session',
    'delete_user_session',
    'revoke_user_token',
  ],
  admin: [],
  owner: [],
};

/** Every role's grants: cumulative by rank, Gatehouse's scopes then the APIs'. */
export type ScopeCatalog = Record<Role, readonly string[]>;

export const buildScopeCatalog = (api: ApiScopes): ScopeCatalog =>
  Object.fromEntries(
    ROLES.map((role, index) => {
      const below = ROLES.slice(0, index + 1);
      const scopes = below.flatMap((r) => [...GATEHOUSE_SCOPES[r], ...api[r]]);
      return [role, [...new Set(scopes)]];
    }),
  ) as unknown as ScopeCatalog;

/** The contract's default grants. */
export const defaultScopeCatalog: ScopeCatalog = buildScopeCatalog(DEFAULT_API_SCOPES);

/** RFC 6749 scope-token characters, and no separator of ours. */
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]{1,128}$/;

/**
 * SCOPE_CATALOG: a JSON object of each role's own API scopes, e.g.
 * `{"viewer":["read"],"editor":["write"],"admin":[],"owner":[]}` (a role left out has none).
 * Unset: the default. Anything malformed stops the start, naming the setting.
 */
/** A comma-separated role list (MFA_REQUIRED_ROLES), as written: trimmed, empties dropped. */
export const roleListItems = (text: string): string[] =>
  text
    .split(',')
    .map((role) => role.trim())
    .filter(Boolean);

/**
 * MFA_REQUIRED_ROLES for the authorizers (which do not load the whole config): the same list
 * config.ts reads; an unknown role stops the start, as it stops Gatehouse's.
 */
export const mfaRequiredRolesFromEnv = (env: Record<string, string | undefined>): Role[] => {
  const items = roleListItems(env.MFA_REQUIRED_ROLES ?? '');
  const unknown = items.find((item) => !(ROLES as readonly string[]).includes(item));
  if (unknown !== undefined) {
    throw new Error(`Invalid settings: MFA_REQUIRED_ROLES names an unknown role "${unknown}".`);
  }
  return [...new Set(items as Role[])];
};

export const scopeCatalogFromEnv = (env: Record<string, string | undefined>): ScopeCatalog => {
  const text = env.SCOPE_CATALOG;
  if (!text) return defaultScopeCatalog;
  const refuse = (why: string): never => {
    throw new Error(`Invalid settings: SCOPE_CATALOG ${why}.`);
  };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return refuse('is not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return refuse('must be an object of roles');
  }
  const api = { viewer: [], editor: [], admin: [], owner: [] } as Record<Role, string[]>;
  for (const [role, scopes] of Object.entries(value)) {
    if (!(ROLES as readonly string[]).includes(role)) refuse(`names an unknown role "${role}"`);
    if (
      !Array.isArray(scopes) ||
      !scopes.every((s) => typeof s === 'string' && SCOPE_TOKEN.test(s))
    ) {
      refuse(
        `.${role} must be a list of scope names (printable, no spaces, quotes or backslashes)`,
      );
    }
    api[role as Role] = scopes as string[];
  }
  return buildScopeCatalog(api);
};

export const scopesForRole = (catalog: ScopeCatalog, role: Role): readonly string[] =>
  catalog[role];
