import { z } from 'zod';
import { MIN_BCRYPT_COST } from './password-hasher';
import { audienceFromEnv, issuerFromEnv, requiresUserAuthentication } from './token-settings';

export interface Config {
  issuerUrl: string;
  audience: string;
  requireUserAuthentication: boolean;
  passwordLoginEnabled: boolean;
  defaultOwner: { email: string; username: string; password: string | undefined };
  accessTokenTtlSeconds: number;
  sessionTtlSeconds: number;
  revocationCacheSeconds: number;
  passwordMinLength: number;
  bcryptCost: number;
  lockout: { threshold: number; baseSeconds: number; maxSeconds: number };
}

const flag = (fallback: '0' | '1') =>
  z
    .enum(['0', '1', 'true', 'false'])
    .default(fallback)
    .transform((v) => v === '1' || v === 'true');

const seconds = (fallback: number, max = 10 * 365 * 86_400) =>
  z.coerce.number().int().min(1).max(max).default(fallback);

const optional = z
  .string()
  .optional()
  .transform((v) => (v === '' ? undefined : v));

const EnvSchema = z.object({
  PORT: z.coerce.number().int().min(1).max(65_535).default(3000),
  ISSUER_URL: optional.pipe(z.url().optional()),
  ACCESS_TOKEN_AUDIENCE: optional,
  PASSWORD_LOGIN_ENABLED: flag('1'),
  DEFAULT_OWNER_EMAIL: optional.pipe(z.email().default('owner@example.com')),
  DEFAULT_OWNER_USERNAME: optional.pipe(z.string().default('owner')),
  DEFAULT_OWNER_PASSWORD: optional,
  ACCESS_TOKEN_TTL_SECONDS: seconds(900, 86_400),
  SESSION_TTL_SECONDS: seconds(2_592_000),
  REVOCATION_CACHE_SECONDS: z.coerce.number().int().min(0).max(300).default(10),
  PASSWORD_MIN_LENGTH: z.coerce.number().int().min(8).max(128).default(12),
  BCRYPT_COST: z.coerce.number().int().min(MIN_BCRYPT_COST).max(16).default(MIN_BCRYPT_COST),
  LOCKOUT_THRESHOLD: z.coerce.number().int().min(1).max(100).default(5),
  LOCKOUT_BASE_SECONDS: seconds(30, 86_400),
  LOCKOUT_MAX_SECONDS: seconds(900, 86_400),
});

/** Reads settings from an environment; a bad value stops the start with the setting's name. */
export const loadConfig = (env: Record<string, string | undefined>): Config => {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid settings: ${issues.join('; ')}`);
  }
  const e = parsed.data;
  return {
    issuerUrl: issuerFromEnv(env),
    audience: audienceFromEnv(env),
    requireUserAuthentication: requiresUserAuthentication(env),
    passwordLoginEnabled: e.PASSWORD_LOGIN_ENABLED,
    defaultOwner: {
      email: e.DEFAULT_OWNER_EMAIL,
      username: e.DEFAULT_OWNER_USERNAME,
      password: e.DEFAULT_OWNER_PASSWORD,
    },
    accessTokenTtlSeconds: e.ACCESS_TOKEN_TTL_SECONDS,
    sessionTtlSeconds: e.SESSION_TTL_SECONDS,
    revocationCacheSeconds: e.REVOCATION_CACHE_SECONDS,
    passwordMinLength: e.PASSWORD_MIN_LENGTH,
    bcryptCost: e.BCRYPT_COST,
    lockout: {
      threshold: e.LOCKOUT_THRESHOLD,
      baseSeconds: Math.min(e.LOCKOUT_BASE_SECONDS, e.LOCKOUT_MAX_SECONDS),
      maxSeconds: e.LOCKOUT_MAX_SECONDS,
    },
  };
};
