import * as z from 'zod/mini';
import { MIN_BCRYPT_COST } from '../sessions/password-hasher';
import './validation';
import {
  type IdentityProvider,
  identityProvidersFromEnv,
  usersImportProviderFromEnv,
} from '../identity/provider-config';
import { allowedOriginsFromEnv } from '../identity/return-to';
import { type SsoConfig, ssoConfigFromEnv } from '../identity/sso-config';
import { SIGNING_ALGS, type SigningAlg } from '../tokens/signing-keys';
import {
  audienceFromEnv,
  issuerFromEnv,
  requiresUserAuthentication,
} from '../tokens/token-settings';
import { ROLES, type Role, roleListItems } from '../users/roles';
import { corsOriginsFromSetting } from './cors-origins';

export interface Config {
  issuerUrl: string;
  audience: string;
  requireUserAuthentication: boolean;
  /** REQUIRE_API_KEY: every call but discovery names its app in `x-api-key`. */
  requireApiKey: boolean;
  passwordLoginEnabled: boolean;
  defaultOwner: { email: string; username: string; password: string | undefined };
  accessTokenTtlSeconds: number;
  /** ACCESS_TOKEN_SIGNING_ALG: ES256, or RS256 for consumers that verify only RSA. */
  accessTokenSigningAlg: SigningAlg;
  sessionTtlSeconds: number;
  /** Step-up: a session signed in this recently proves its holder without a password. */
  reauthMaxAgeSeconds: number;
  apiTokenMaxTtlSeconds: number;
  passwordMinLength: number;
  revocationCacheSeconds: number;
  auditRetentionDays: number;
  bcryptCost: number;
  lockout: { threshold: number; baseSeconds: number; maxSeconds: number };
  /** Self-service: sign-up, email verification, password reset, and their rate limits. */
  account: {
    signUpEnabled: boolean;
    signUpRole: 'viewer' | 'editor' | 'admin';
    requireEmailVerification: boolean;
    emailVerificationTtlSeconds: number;
    passwordResetTtlSeconds: number;
    /** Requests per minute per client IP on the public account routes; 0 is off. */
    rateLimitPerIp: number;
    /** Mails per hour per address (sign-up, forgot, resend); 0 is off. */
    rateLimitPerEmail: number;
  };
  /** JWT SSO; null when not set up. */
  sso: SsoConfig | null;
  /** Origins besides the service's own that `return_to` may name (ALLOWED_REDIRECT_ORIGINS). */
  allowedRedirectOrigins: string[];
  /** Browser apps that may call the JSON API and /oauth/token, userinfo, revoke (CORS_ALLOWED_ORIGINS). */
  corsAllowedOrigins: string[];
  /** OIDC identity providers (IDENTITY_PROVIDERS), in the order the sign-in page shows them. */
  identityProviders: IdentityProvider[];
  /** The provider a users.json `sub` names (USERS_IMPORT_PROVIDER); null when none. */
  usersImportProvider: string | null;
  /** MFA_REQUIRED_ROLES: a session of such a user gets only `profile` until a factor is verified. */
  mfaRequiredRoles: Role[];
  /** WebAuthn's relying party: WEBAUTHN_RP_ID (the issuer's host) and WEBAUTHN_ORIGINS. */
  webauthn: { rpId: string; rpName: string; origins: string[] };
}

/** A browser runs WebAuthn on a secure context only: https, or plain http on this machine. */
const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1']);

/**
 * The browser's rules for a relying party id (the issuer's, as WebAuthn states them): each
 * origin is https (or local), and the rp id is its host or a registrable suffix of it.
 */
const assertRelyingParty = (rpId: string, origins: string[]): void => {
  const id = rpId.toLowerCase();
  for (const origin of origins) {
    const { protocol, hostname } = new URL(origin);
    if (protocol !== 'https:' && !(protocol === 'http:' && LOCAL_HOSTS.has(hostname)))
      throw new Error(
        `Invalid settings: WEBAUTHN_ORIGINS: "${origin}" must be https (http only for localhost or 127.0.0.1)`,
      );
    // A suffix with a dot: a public suffix alone ("com") is refused by every browser too.
    const suffix = hostname === id || (id.includes('.') && hostname.endsWith(`.${id}`));
    if (!suffix)
      throw new Error(
        `Invalid settings: WEBAUTHN_RP_ID: "${rpId}" is neither the host of "${origin}" nor a suffix of it`,
      );
  }
};

/** WEBAUTHN_ORIGINS is comma-separated origins; each must be one (scheme, host, port only). */
const webauthnFromEnv = (
  issuerUrl: string,
  rpId: string | undefined,
  origins: string | undefined,
): Config['webauthn'] => {
  const issuer = new URL(issuerUrl);
  const listed = (origins ?? '')
    .split(',')
    .map((origin) => origin.trim())
    .filter(Boolean);
  for (const origin of listed) {
    if (!URL.canParse(origin) || new URL(origin).origin !== origin)
      throw new Error(`Invalid settings: WEBAUTHN_ORIGINS: "${origin}" is not an origin`);
  }
  const webauthn = {
    rpId: rpId ?? issuer.hostname,
    rpName: 'Gatehouse',
    origins: listed.length ? listed : [issuer.origin],
  };
  // Invariant: a relying party set by hand fails at start when bad, not at every ceremony. The
  // issuer's defaults are not checked: an http issuer on a LAN host still starts (its browsers
  // refuse WebAuthn there, as they would anyway; passwords and codes keep working).
  if (rpId !== undefined || listed.length > 0) assertRelyingParty(webauthn.rpId, webauthn.origins);
  return webauthn;
};

const flag = (fallback: '0' | '1') =>
  z.pipe(
    z._default(z.enum(['0', '1', 'true', 'false']), fallback),
    z.transform((v) => v === '1' || v === 'true'),
  );

const integer = (fallback: number, min: number, max: number) =>
  z._default(z.coerce.number().check(z.int(), z.gte(min), z.lte(max)), fallback);

const seconds = (fallback: number, max = 10 * 365 * 86_400) => integer(fallback, 1, max);

const EnvSchema = z.object({
  PORT: integer(3000, 1, 65_535),
  ISSUER_URL: z.optional(z.url()),
  ACCESS_TOKEN_AUDIENCE: z.optional(z.string()),
  PASSWORD_LOGIN_ENABLED: flag('1'),
  REQUIRE_API_KEY: flag('0'),
  SIGN_UP_ENABLED: flag('0'),
  SIGN_UP_ROLE: z._default(z.enum(['viewer', 'editor', 'admin']), 'viewer'),
  REQUIRE_EMAIL_VERIFICATION: flag('0'),
  EMAIL_VERIFICATION_TTL_SECONDS: seconds(86_400, 7 * 86_400),
  PASSWORD_RESET_TTL_SECONDS: seconds(3600, 86_400),
  RATE_LIMIT_PER_IP: integer(30, 0, 100_000),
  RATE_LIMIT_PER_EMAIL: integer(5, 0, 1000),
  DEFAULT_OWNER_EMAIL: z.optional(z.email()),
  DEFAULT_OWNER_USERNAME: z.optional(z.string()),
  DEFAULT_OWNER_PASSWORD: z.optional(z.string()),
  ACCESS_TOKEN_TTL_SECONDS: seconds(900, 86_400),
  ACCESS_TOKEN_SIGNING_ALG: z._default(z.enum(SIGNING_ALGS), 'ES256'),
  SESSION_TTL_SECONDS: seconds(2_592_000),
  REAUTH_MAX_AGE_SECONDS: seconds(300, 86_400),
  API_TOKEN_MAX_TTL_SECONDS: seconds(2_592_000),
  PASSWORD_MIN_LENGTH: integer(12, 8, 128),
  REVOCATION_CACHE_SECONDS: integer(10, 0, 300),
  AUDIT_RETENTION_DAYS: integer(365, 1, 3650),
  BCRYPT_COST: integer(MIN_BCRYPT_COST, MIN_BCRYPT_COST, 16),
  LOCKOUT_THRESHOLD: integer(5, 1, 100),
  LOCKOUT_BASE_SECONDS: seconds(30, 86_400),
  LOCKOUT_MAX_SECONDS: seconds(900, 86_400),
  MFA_REQUIRED_ROLES: z._default(
    z.pipe(z.pipe(z.string(), z.transform(roleListItems)), z.array(z.enum(ROLES))),
    [],
  ),
  WEBAUTHN_RP_ID: z.optional(z.string().check(z.regex(/^[a-z0-9.-]{1,253}$/i))),
  WEBAUTHN_ORIGINS: z.optional(z.string()),
});

/** Reads settings from an environment; a bad value stops the start with the setting's name. */
export const loadConfig = (env: Record<string, string | undefined>): Config => {
  // Unset and empty are the same: the default applies.
  const given = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
  const parsed = EnvSchema.safeParse(given);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid settings: ${issues.join('; ')}`);
  }
  const e = parsed.data;
  const identityProviders = identityProvidersFromEnv(env);
  const issuerUrl = issuerFromEnv(env);
  return {
    issuerUrl,
    audience: audienceFromEnv(env),
    requireUserAuthentication: requiresUserAuthentication(env),
    passwordLoginEnabled: e.PASSWORD_LOGIN_ENABLED,
    requireApiKey: e.REQUIRE_API_KEY,
    defaultOwner: {
      email: e.DEFAULT_OWNER_EMAIL ?? 'owner@example.com',
      username: e.DEFAULT_OWNER_USERNAME ?? 'owner',
      password: e.DEFAULT_OWNER_PASSWORD,
    },
    accessTokenTtlSeconds: e.ACCESS_TOKEN_TTL_SECONDS,
    accessTokenSigningAlg: e.ACCESS_TOKEN_SIGNING_ALG,
    sessionTtlSeconds: e.SESSION_TTL_SECONDS,
    reauthMaxAgeSeconds: e.REAUTH_MAX_AGE_SECONDS,
    apiTokenMaxTtlSeconds: e.API_TOKEN_MAX_TTL_SECONDS,
    passwordMinLength: e.PASSWORD_MIN_LENGTH,
    revocationCacheSeconds: e.REVOCATION_CACHE_SECONDS,
    auditRetentionDays: e.AUDIT_RETENTION_DAYS,
    bcryptCost: e.BCRYPT_COST,
    lockout: {
      threshold: e.LOCKOUT_THRESHOLD,
      baseSeconds: Math.min(e.LOCKOUT_BASE_SECONDS, e.LOCKOUT_MAX_SECONDS),
      maxSeconds: e.LOCKOUT_MAX_SECONDS,
    },
    account: {
      signUpEnabled: e.SIGN_UP_ENABLED,
      signUpRole: e.SIGN_UP_ROLE,
      requireEmailVerification: e.REQUIRE_EMAIL_VERIFICATION,
      emailVerificationTtlSeconds: e.EMAIL_VERIFICATION_TTL_SECONDS,
      passwordResetTtlSeconds: e.PASSWORD_RESET_TTL_SECONDS,
      rateLimitPerIp: e.RATE_LIMIT_PER_IP,
      rateLimitPerEmail: e.RATE_LIMIT_PER_EMAIL,
    },
    sso: ssoConfigFromEnv(env),
    allowedRedirectOrigins: allowedOriginsFromEnv(env.ALLOWED_REDIRECT_ORIGINS),
    corsAllowedOrigins: corsOriginsFromSetting(env.CORS_ALLOWED_ORIGINS),
    identityProviders,
    usersImportProvider: usersImportProviderFromEnv(env, identityProviders),
    mfaRequiredRoles: [...new Set(e.MFA_REQUIRED_ROLES)],
    webauthn: webauthnFromEnv(issuerUrl, e.WEBAUTHN_RP_ID, e.WEBAUTHN_ORIGINS),
  };
};
