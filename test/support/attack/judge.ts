import type { APIGatewaySimpleAuthorizerWithContextResult } from 'aws-lambda';
import {
  browserSessionUser,
  type RefreshCaller,
  rotateRefreshToken,
} from '../../../src/core/sessions/sessions';
import { signInWithPassword } from '../../../src/core/sessions/sign-in';
import { isGatehouseError } from '../../../src/core/shared/errors';
import { publicJwks } from '../../../src/core/tokens/signing-keys';
import type { Role } from '../../../src/core/users/roles';
import { createAuthorizer } from '../../../src/http/authorizer';
import type { AuthorizerContext } from '../../../src/http/principal';
import type { TestDeps } from '../core-deps';
import type { Credential, World } from './world';

/**
 * How the service itself judges each kind of credential: the authorizer (access tokens with
 * the access-token verifier and its session-state check, API tokens with its judge), a
 * password sign-in, a refresh, the hosted pages' cookie check. Nothing here decides anything.
 */

export type Verdict =
  | { works: true; role: Role; accountId: string; scope: string }
  | { works: false; why: string };

export type Authorize = (token: string) => Promise<Verdict>;

/**
 * The authorizer as deployed, on the store under test: the revocation feed (the store's), read
 * back `lookbackSeconds` at its cold start; for tokens older than that, the session-state read
 * is the DynamoDB reader's rule (src/store/session-state.ts: missing, revoked or expired is
 * ended) on the fake clock; API tokens are loaded as the authorizer's state store loads them.
 */
export const authorizerFor = (
  deps: TestDeps,
  lookbackSeconds = deps.config.accessTokenTtlSeconds + 300,
): Authorize => {
  const authorizer = createAuthorizer({
    issuer: deps.config.issuerUrl,
    audience: deps.config.audience,
    now: deps.clock.now,
    loadKeys: async () => publicJwks(deps.keySet).keys,
    denyWithReason: false,
    defaultOwnerScope: null,
    isSessionRevoked: async (sid) => {
      const session = await deps.store.getSession(sid);
      return !session || session.revokedAt !== null || session.expiresAt <= deps.clock.now();
    },
    revocationCacheSeconds: deps.config.revocationCacheSeconds,
    revocationFeed: { read: (since) => deps.store.revocationsSince(since), lookbackSeconds },
    apiTokens: {
      load: async (tokenId) => {
        const token = await deps.store.getApiToken(tokenId);
        if (!token) return null;
        const owner = await deps.store.getUser(token.userId);
        return {
          token,
          owner: owner ? { role: owner.role, status: owner.status, type: owner.type } : null,
        };
      },
      markUsed: async () => {},
    },
    scopes: deps.scopes,
    mfaRequiredRoles: deps.config.mfaRequiredRoles,
  });
  return async (token) => {
    const result = (await authorizer({
      version: '2.0',
      type: 'REQUEST',
      routeKey: 'GET /me',
      headers: { authorization: `Bearer ${token}` },
    } as never)) as APIGatewaySimpleAuthorizerWithContextResult<AuthorizerContext>;
    const context = result.context;
    if (!result.isAuthorized || !context?.sub) {
      return { works: false, why: context?.error_code ?? 'denied' };
    }
    return {
      works: true,
      role: context.role as Role,
      accountId: context.sub,
      scope: context.scope ?? '',
    };
  };
};

const refusal = (error: unknown): Verdict => {
  if (isGatehouseError(error)) return { works: false, why: error.code };
  throw error;
};

/**
 * Tries one credential as its holder would. A refresh rotates: the credential then holds the
 * new refresh token (the holder keeps the newest). A password is tried with the login it was
 * given with and with the account's email now (an admin who changed it knows it).
 */
export const tryCredential = async (world: World, cred: Credential): Promise<Verdict> => {
  const { deps } = world;
  switch (cred.kind) {
    case 'access':
    case 'api':
      return world.authorize(cred.secret);
    case 'browser': {
      const found = await browserSessionUser(deps, cred.secret);
      return found
        ? { works: true, role: found.user.role, accountId: found.user.id, scope: '' }
        : { works: false, why: 'no session' };
    }
    case 'refresh':
      try {
        const tokens = await rotateRefreshToken(
          deps,
          cred.secret,
          await refreshCaller(deps, cred.clientId ?? null),
        );
        cred.secret = tokens.refresh_token;
        return { works: true, role: tokens.user.role, accountId: tokens.user.id, scope: '' };
      } catch (error) {
        return refusal(error);
      }
    case 'password': {
      const account = await deps.store.getUser(cred.accountId);
      const logins = [...new Set([cred.login ?? '', account?.email ?? ''].filter(Boolean))];
      let last: Verdict = { works: false, why: 'no login' };
      for (const login of logins) {
        try {
          const tokens = await signInWithPassword(deps, { login, password: cred.secret });
          return { works: true, role: tokens.user.role, accountId: tokens.user.id, scope: '' };
        } catch (error) {
          last = refusal(error);
        }
      }
      return last;
    }
  }
};

/**
 * Who refreshes a credential: a sign-in's token at /auth/refresh; a client's token at
 * /oauth/token by that client, authenticated (found in the store), as its holder would.
 */
export const refreshCaller = async (
  deps: TestDeps,
  clientId: string | null,
): Promise<RefreshCaller> =>
  clientId === null
    ? { endpoint: 'auth' }
    : { endpoint: 'oauth', client: await deps.store.getClient(clientId) };
