import * as z from 'zod/mini';
import '../shared/validation';
import { ROLES, type Role } from '../users/roles';

/** JWT SSO settings (API.md, JWT SSO); null when neither key source is set. */
export interface SsoConfig {
  /** HS256 shared key, taken as the string's UTF-8 bytes (as `jsonwebtoken` does). */
  jwtSecret: string | null;
  /** Providers that sign with RS256, ES256 or EdDSA publish their keys here. */
  jwksUrl: string | null;
  issuer: string | null;
  audience: string | null;
  /** Where `GET /auth/sso` without `jwt` sends the browser. */
  idpUrl: string | null;
  maxAgeSeconds: number;
  attributes: { email: string; firstName: string; lastName: string };
  newUsers: 'active' | 'pending';
  defaultRole: Exclude<Role, 'owner'>;
  groupSync: boolean;
  /** Provider group to role; `owner` only ever comes from here. */
  groupMappings: Record<string, Role>;
}

const RoleName = z.enum(ROLES);

const MappingObject = z.record(z.string().check(z.minLength(1)), RoleName);

const SsoEnv = z.object({
  SSO_JWT_SECRET: z.optional(z.string().check(z.minLength(16))),
  SSO_JWKS_URL: z.optional(z.url({ protocol: /^https?$/ })),
  SSO_ISSUER: z.optional(z.string()),
  SSO_AUDIENCE: z.optional(z.string()),
  SSO_IDP_URL: z.optional(z.url({ protocol: /^https?$/ })),
  SSO_MAX_AGE_SECONDS: z._default(z.coerce.number().check(z.int(), z.gte(10), z.lte(3600)), 180),
  SSO_ATTR_EMAIL: z._default(z.string().check(z.minLength(1)), 'email'),
  SSO_ATTR_FIRST_NAME: z._default(z.string().check(z.minLength(1)), 'first_name'),
  SSO_ATTR_LAST_NAME: z._default(z.string().check(z.minLength(1)), 'last_name'),
  SSO_NEW_USERS: z._default(z.enum(['active', 'pending']), 'active'),
  SSO_DEFAULT_ROLE: z._default(z.enum(['viewer', 'editor', 'admin']), 'viewer'),
  SSO_GROUP_SYNC: z._default(z.enum(['0', '1', 'true', 'false']), '0'),
  SSO_GROUP_MAPPINGS: z.optional(z.string()),
});

/** Reads the SSO settings; a bad value stops the start with the setting's name. */
export const ssoConfigFromEnv = (env: Record<string, string | undefined>): SsoConfig | null => {
  const given = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
  const parsed = SsoEnv.safeParse(given);
  const fail = (issues: string[]) => {
    throw new Error(`Invalid settings: ${issues.join('; ')}`);
  };
  if (!parsed.success) {
    return fail(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  const e = parsed.data;
  let groupMappings: Record<string, Role> = {};
  if (e.SSO_GROUP_MAPPINGS !== undefined) {
    let raw: unknown;
    try {
      raw = JSON.parse(e.SSO_GROUP_MAPPINGS);
    } catch {
      raw = null;
    }
    const mappings = MappingObject.safeParse(raw);
    if (!mappings.success) {
      return fail([
        `SSO_GROUP_MAPPINGS: must be a JSON object of group names to ${ROLES.join(', ')}`,
      ]);
    }
    groupMappings = mappings.data as Record<string, Role>;
  }
  if (!e.SSO_JWT_SECRET && !e.SSO_JWKS_URL) return null;
  return {
    jwtSecret: e.SSO_JWT_SECRET ?? null,
    jwksUrl: e.SSO_JWKS_URL ?? null,
    issuer: e.SSO_ISSUER ?? null,
    audience: e.SSO_AUDIENCE ?? null,
    idpUrl: e.SSO_IDP_URL ?? null,
    maxAgeSeconds: e.SSO_MAX_AGE_SECONDS,
    attributes: {
      email: e.SSO_ATTR_EMAIL,
      firstName: e.SSO_ATTR_FIRST_NAME,
      lastName: e.SSO_ATTR_LAST_NAME,
    },
    newUsers: e.SSO_NEW_USERS,
    defaultRole: e.SSO_DEFAULT_ROLE,
    groupSync: e.SSO_GROUP_SYNC === '1' || e.SSO_GROUP_SYNC === 'true',
    groupMappings,
  };
};
