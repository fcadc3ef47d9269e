import { scopeCatalogFromEnv } from '../src/core/roles';
import {
  audienceFromEnv,
  issuerFromEnv,
  requiresUserAuthentication,
  revocationCacheSecondsFromEnv,
} from '../src/core/token-settings';
import { createAuthorizer } from '../src/http/authorizer';
import { apiTokenStateStore } from '../src/store/api-token-state';
import { dynamoSettingsFromEnv, tableNamesFromEnv } from '../src/store/dynamo-settings';
import { publishedKeysReader } from '../src/store/published-keys';
import { sessionRevocationReader } from '../src/store/session-state';

const env = process.env;
if (!requiresUserAuthentication(env)) {
  console.warn('REQUIRE_USER_AUTHENTICATION=0: requests without a token act as the default owner.');
}
const dynamo = dynamoSettingsFromEnv(env);
const tables = tableNamesFromEnv(env);
const tokensTable = tables.tokens;
const scopeCatalog = scopeCatalogFromEnv(env);

export const handler = createAuthorizer({
  issuer: issuerFromEnv(env),
  audience: audienceFromEnv(env),
  now: Date.now,
  loadKeys: publishedKeysReader(dynamo, tokensTable),
  isSessionRevoked: sessionRevocationReader(dynamo, tokensTable),
  revocationCacheSeconds: revocationCacheSecondsFromEnv(env),
  apiTokens: apiTokenStateStore(dynamo, { tokens: tables.tokens, users: tables.users }),
  scopes: scopeCatalog,
  denyWithReason: env.AUTHORIZER_DENY_WITH_REASON === '1',
  defaultOwnerScope: requiresUserAuthentication(env) ? null : scopeCatalog.owner.join(' '),
});
