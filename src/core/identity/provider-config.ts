import * as z from 'zod/mini';
import '../shared/validation';
import { ROLES, type Role } from '../users/roles';

/**
 * OIDC identity providers (API.md, Federation): `IDENTITY_PROVIDERS`, a JSON array, validated
 * at start; a bad entry stops the start with a message naming the provider and the field.
 */
export interface IdentityProvider {
  /** Names the provider in URLs (`/auth/federated/{id}`) and in linked identities. */
  id: string;
  /** What the sign-in page's button says. */
  name: string;
  issuer: string;
  clientId: string;
  /** Absent: a public client (PKCE only). */
  clientSecret: string | null;
  /** How the client authenticates at the token endpoint when it has a secret. */
  tokenEndpointAuth: 'client_secret_basic' | 'client_secret_post' | 'none';
  scopes: string[];
  /** Which ID token (or userinfo) claims hold the email, the name and the groups. */
  claims: { email: string; name: string; groups: string | null };
  newUsers: 'active' | 'pending';
  defaultRole: Exclude<Role, 'owner'>;
  /** Provider group to role; reconciled at each login when any is set. */
  groupMappings: Record<string, Role>;
  /** The provider vouches for emails it marks `email_verified: true` (Account linking). */
  trustEmail: boolean;
  /** The provider's own MFA counts as a second factor (MFA). */
  trustMfa: boolean;
}

/** Provider ids are URL path segments and identity keys: short, lower-case, no separators. */
export const PROVIDER_ID = /^[a-z0-9][a-z0-9_-]{0,31}$/;

/** Ids that name JWT SSO identities (users.ts JWT_PROVIDER and `jwt:<iss>`). */
const RESERVED_IDS = new Set(['jwt']);

const nonEmpty = z.string().check(z.trim(), z.minLength(1));

const ProviderEntry = z.strictObject({
  id: z.string().check(z.regex(PROVIDER_ID, 'must be 1-32 of a-z 0-9 _ - (starting a-z 0-9)')),
  name: z.string().check(z.trim(), z.minLength(1), z.maxLength(80)),
  issuer: z.url({ protocol: /^https?$/ }),
  client_id: nonEmpty,
  client_secret: z.optional(nonEmpty),
  token_endpoint_auth_method: z.optional(
    z.enum(['client_secret_basic', 'client_secret_post', 'none']),
  ),
  scopes: z.optional(z.array(z.string().check(z.regex(/^[\x21\x23-\x5b\x5d-\x7e]+$/)))),
  claims: z.optional(
    z.strictObject({
      email: z.optional(nonEmpty),
      name: z.optional(nonEmpty),
      groups: z.optional(nonEmpty),
    }),
  ),
  new_users: z.optional(z.enum(['active', 'pending'])),
  default_role: z.optional(z.enum(['viewer', 'editor', 'admin'])),
  group_mappings: z.optional(z.record(z.string().check(z.minLength(1)), z.enum(ROLES))),
  trust_email: z.optional(z.boolean()),
  trust_mfa: z.optional(z.boolean()),
});

const fail = (message: string): never => {
  throw new Error(`Invalid settings: IDENTITY_PROVIDERS: ${message}`);
};

/** Reads IDENTITY_PROVIDERS; unset or empty is none. */
export const identityProvidersFromEnv = (
  env: Record<string, string | undefined>,
): IdentityProvider[] => {
  const text = env.IDENTITY_PROVIDERS?.trim();
  if (!text) return [];
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return fail('is not valid JSON (a JSON array of providers is expected).');
  }
  if (!Array.isArray(raw)) return fail('must be a JSON array of providers.');
  const providers = raw.map((entry, index) => {
    const parsed = ProviderEntry.safeParse(entry);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const id =
        typeof entry === 'object' && entry && typeof (entry as { id?: unknown }).id === 'string'
          ? ` (${(entry as { id: string }).id})`
          : '';
      const field = issue?.path.join('.') || 'entry';
      return fail(`provider ${index}${id}: ${field}: ${issue?.message ?? 'is invalid'}`);
    }
    return toProvider(parsed.data);
  });
  const seen = new Set<string>();
  for (const provider of providers) {
    if (RESERVED_IDS.has(provider.id)) fail(`id "${provider.id}" is reserved for JWT SSO.`);
    if (seen.has(provider.id)) fail(`id "${provider.id}" is given twice.`);
    seen.add(provider.id);
  }
  return providers;
};

const toProvider = (e: z.infer<typeof ProviderEntry>): IdentityProvider => {
  const clientSecret = e.client_secret ?? null;
  const auth = e.token_endpoint_auth_method ?? (clientSecret ? 'client_secret_basic' : 'none');
  if (auth !== 'none' && !clientSecret) {
    fail(`provider ${e.id}: token_endpoint_auth_method: ${auth} needs a client_secret.`);
  }
  // email_verified is about the standard `email` claim: it vouches for no other claim, so a
  // provider whose address comes from another claim (a username a person may edit) is never
  // trusted for emails (red team, issue 13).
  if (e.trust_email && (e.claims?.email ?? 'email') !== 'email') {
    fail(
      `provider ${e.id}: trust_email: true needs claims.email "email" (email_verified vouches only for that claim).`,
    );
  }
  const scopes = e.scopes ?? ['openid', 'email', 'profile'];
  return {
    id: e.id,
    name: e.name,
    issuer: e.issuer,
    clientId: e.client_id,
    clientSecret: auth === 'none' ? null : clientSecret,
    tokenEndpointAuth: auth,
    // An ID token needs `openid`, whatever the list says.
    scopes: scopes.includes('openid') ? scopes : ['openid', ...scopes],
    claims: {
      email: e.claims?.email ?? 'email',
      name: e.claims?.name ?? 'name',
      groups: e.claims?.groups ?? null,
    },
    newUsers: e.new_users ?? 'active',
    defaultRole: e.default_role ?? 'viewer',
    groupMappings: (e.group_mappings ?? {}) as Record<string, Role>,
    trustEmail: e.trust_email ?? false,
    trustMfa: e.trust_mfa ?? false,
  };
};

/**
 * USERS_IMPORT_PROVIDER: which provider a users.json `sub` names; default the only provider.
 * Null when none is configured (rows' `sub` is then kept as an attribute only).
 */
export const usersImportProviderFromEnv = (
  env: Record<string, string | undefined>,
  providers: IdentityProvider[],
): string | null => {
  const named = env.USERS_IMPORT_PROVIDER?.trim();
  if (named) {
    if (!providers.some((p) => p.id === named)) {
      throw new Error(
        `Invalid settings: USERS_IMPORT_PROVIDER: "${named}" is not an id in IDENTITY_PROVIDERS.`,
      );
    }
    return named;
  }
  return providers.length === 1 ? (providers[0] as IdentityProvider).id : null;
};
