import { createApiKeyCheck } from '../core/tokens/api-keys';
import {
  audienceFromEnv,
  issuerFromEnv,
  requiresApiKey,
  requiresUserAuthentication,
  revocationCacheSecondsFromEnv,
} from '../core/tokens/token-settings';
import { mfaRequiredRolesFromEnv, scopeCatalogFromEnv } from '../core/users/roles';
import { activityCounterWriter } from '../store/activity-counter-writer';
import { apiTokenStateStore } from '../store/api-token-state';
import { clientExistsReader } from '../store/client-state';
import { dynamoSettingsFromEnv, tableNamesFromEnv } from '../store/dynamo-settings';
import { lazyDynamoClient } from '../store/lazy-dynamo-client';
import { publishedKeysReader } from '../store/published-keys';
import { revocationFeedReader } from '../store/revocation-feed-reader';
import { tables as tableSchema } from '../store/schema';
import { sessionRevocationReader } from '../store/session-state';
import { createAuthorizer, type RouteScopes } from './authorizer';
import { createTokenUseCounter } from './token-use-counter';

type Env = Record<string, string | undefined>;

/** AUTHORIZER_ROUTE_SCOPES: `{"GET /things/{id}": ["scope", …]}`; a bad value stops the start. */
export const routeScopesFromEnv = (env: Env): RouteScopes | null => {
  const raw = env.AUTHORIZER_ROUTE_SCOPES;
  if (!raw) return null;
  const invalid = () =>
    new Error(
      'Invalid settings: AUTHORIZER_ROUTE_SCOPES must map "METHOD /path" to a list of scopes.',
    );
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw invalid();
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw invalid();
  for (const [key, scopes] of Object.entries(parsed)) {
    const wellFormed =
      /^[A-Z]+ \/\S*$/.test(key) &&
      Array.isArray(scopes) &&
      scopes.length > 0 &&
      scopes.every((scope) => typeof scope === 'string' && scope.length > 0);
    if (!wellFormed) throw invalid();
  }
  return parsed as RouteScopes;
};

/** Writers' and signers' clock skew the feed's lookback allows beyond the longest token. */
const LOOKBACK_SKEW_SECONDS = 300;
/** Without ACCESS_TOKEN_TTL_SECONDS (another stack's authorizer): an hour; older tokens read. */
const DEFAULT_LOOKBACK_SECONDS = 3600;

/**
 * How far back the revocation feed is read at a cold start: the longest access token plus
 * skew. A token issued earlier than that is checked by a session read, so a wrong value costs
 * reads, never a revoked token let through.
 */
export const revocationLookbackSecondsFromEnv = (env: Env): number => {
  const ttl = Number(env.ACCESS_TOKEN_TTL_SECONDS);
  return Number.isInteger(ttl) && ttl > 0 && ttl <= 86_400
    ? ttl + LOOKBACK_SKEW_SECONDS
    : DEFAULT_LOOKBACK_SECONDS;
};

const DEFAULT_FLUSH_SECONDS = 60;

/**
 * TOKEN_USE_FLUSH_SECONDS: how often an instance adds its API token uses to the activity
 * counters (default 60; the local server sets 1 so a test sees its uses at once).
 */
export const tokenUseFlushSecondsFromEnv = (env: Env): number => {
  const raw = env.TOKEN_USE_FLUSH_SECONDS;
  if (raw === undefined || raw === '') return DEFAULT_FLUSH_SECONDS;
  const seconds = Number(raw);
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > 3600) {
    throw new Error('Invalid settings: TOKEN_USE_FLUSH_SECONDS must be a whole number, 1 to 3600.');
  }
  return seconds;
};

/** Token uses are counted where the audit table is named: Gatehouse's own authorizer only. */
const tokenUseCounterFromEnv = (env: Env, dynamo: ReturnType<typeof lazyDynamoClient>) => {
  const table = env[tableSchema.audit.envVar];
  if (!table) return null;
  return createTokenUseCounter({
    write: activityCounterWriter(dynamo, table),
    intervalMs: tokenUseFlushSecondsFromEnv(env) * 1000,
    now: Date.now,
    onLost: (error, uses) =>
      console.error(
        JSON.stringify({ level: 'error', message: 'token uses lost', uses, error: String(error) }),
      ),
  });
};

/** The authorizer as a function's environment configures it (functions/authorizer.ts). */
export const authorizerFromEnv = (env: Env) => {
  if (!requiresUserAuthentication(env)) {
    console.warn(
      'REQUIRE_USER_AUTHENTICATION=0: requests without a token act as the default owner.',
    );
  }
  // One client for every read: one connection pool and, with a reader role, one AssumeRole.
  const dynamo = lazyDynamoClient(dynamoSettingsFromEnv(env));
  const tables = tableNamesFromEnv(env);
  const scopeCatalog = scopeCatalogFromEnv(env);
  const revocationCacheSeconds = revocationCacheSecondsFromEnv(env);
  const denyWithReason = env.AUTHORIZER_DENY_WITH_REASON === '1';
  return createAuthorizer({
    issuer: issuerFromEnv(env),
    audience: audienceFromEnv(env),
    now: Date.now,
    loadKeys: publishedKeysReader(dynamo, tables.tokens),
    isSessionRevoked: sessionRevocationReader(dynamo, tables.tokens),
    revocationCacheSeconds,
    revocationFeed: {
      read: revocationFeedReader(dynamo, tables.tokens),
      lookbackSeconds: revocationLookbackSecondsFromEnv(env),
    },
    apiTokens: apiTokenStateStore(dynamo, { tokens: tables.tokens, users: tables.users }),
    tokenUses: tokenUseCounterFromEnv(env, dynamo),
    scopes: scopeCatalog,
    mfaRequiredRoles: mfaRequiredRolesFromEnv(env),
    denyWithReason,
    defaultOwnerScope: requiresUserAuthentication(env) ? null : scopeCatalog.owner.join(' '),
    routeScopes: routeScopesFromEnv(env),
    // On Gatehouse's own API the handlers check the key, public routes included.
    isKnownApiKey:
      requiresApiKey(env) && !denyWithReason
        ? createApiKeyCheck({
            isKnownClient: clientExistsReader(dynamo, tables.tokens),
            now: Date.now,
            cacheSeconds: revocationCacheSeconds,
          })
        : null,
  });
};
