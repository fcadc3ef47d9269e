/** The issuer and audience every token names; the one place their defaults are decided. */
export const issuerFromEnv = (env: Record<string, string | undefined>): string =>
  (env.ISSUER_URL || `http://localhost:${env.PORT || 3000}`).replace(/\/+$/, '');

export const audienceFromEnv = (env: Record<string, string | undefined>): string =>
  env.ACCESS_TOKEN_AUDIENCE || issuerFromEnv(env);

/** REQUIRE_USER_AUTHENTICATION defaults to on; only an explicit 0/false turns it off. */
export const requiresUserAuthentication = (env: Record<string, string | undefined>): boolean =>
  env.REQUIRE_USER_AUTHENTICATION !== '0' && env.REQUIRE_USER_AUTHENTICATION !== 'false';

/** How long a session's state may be trusted from memory (REVOCATION_CACHE_SECONDS, 10). */
export const revocationCacheSecondsFromEnv = (env: Record<string, string | undefined>): number => {
  const value = Number(env.REVOCATION_CACHE_SECONDS || 10);
  if (Number.isInteger(value) && value >= 0 && value <= 300) return value;
  // As loadConfig does: a bad setting stops the start rather than being guessed at.
  throw new Error(
    'Invalid settings: REVOCATION_CACHE_SECONDS must be a whole number from 0 to 300.',
  );
};

/** REQUIRE_API_KEY defaults to off: with 1/true every call names its app in `x-api-key`. */
export const requiresApiKey = (env: Record<string, string | undefined>): boolean =>
  env.REQUIRE_API_KEY === '1' || env.REQUIRE_API_KEY === 'true';
