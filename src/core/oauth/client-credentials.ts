import { type RequestMeta, recordAudit } from '../audit/audit';
import { credentialVersionOf } from '../sessions/credential-version';
import { openingFacts } from '../sessions/session-facts';
import { accessClaims, isCredentialsMoved } from '../sessions/sessions';
import type { CoreDeps } from '../shared/deps';
import { GatehouseError } from '../shared/errors';
import { newId } from '../shared/ids';
import type { SessionRecord } from '../shared/store';
import { signAccessToken } from '../tokens/access-tokens';
import type { ClientRecord } from './clients';
import { grantScopes, parseScope } from './oauth-scopes';

export interface ClientToken {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  scope: string;
}

/**
 * client_credentials (RFC 6749 §4.4): an access token naming the client's service account,
 * with no refresh token. It still gets a session of its own, living as long as the token, so
 * disabling, demoting or deleting the account (or the client) ends it within the revocation
 * bound, as for every other access token.
 */
export const issueClientToken = async (
  deps: CoreDeps,
  client: ClientRecord,
  scope: string | undefined,
  meta: RequestMeta,
): Promise<ClientToken> => {
  const user = client.serviceUserId ? await deps.store.getUser(client.serviceUserId) : null;
  if (!user) {
    throw new GatehouseError('account_disabled', "The client's service account no longer exists.");
  }
  if (user.status !== 'active') {
    throw new GatehouseError('account_disabled', "The client's service account is disabled.");
  }
  // Within the service account's grants plus the OpenID scopes; none asked: its grants.
  const scopes = grantScopes(deps.scopes, user.role, parseScope(scope), true);
  const now = deps.clock.now();
  const ttl = deps.config.accessTokenTtlSeconds;
  const session: SessionRecord = {
    sid: newId(),
    userId: user.id,
    clientId: client.clientId,
    createdAt: now,
    expiresAt: now + ttl * 1000,
    revokedAt: null,
    // No person signs in here: never a recent sign-in for a step-up, no amr, no auth_time.
    authTime: 0,
    // Written only while the service account is at this version and the client exists.
    credentialVersion: credentialVersionOf(user),
    ...openingFacts(meta),
  };
  await Promise.all([
    deps.store.createSession(session, null).catch((error: unknown) => {
      // Deleted (or its account changed) since it was authenticated: no session, no token.
      throw isCredentialsMoved(error)
        ? new GatehouseError('api_key_invalid', 'The client no longer exists.')
        : error;
    }),
    recordAudit(deps, meta, {
      action: 'oauth.client_credentials',
      actorId: user.id,
      targetId: client.clientId,
      detail: { sid: session.sid, scope: scopes.join(' ') },
    }),
  ]);
  return {
    access_token: signAccessToken(
      await deps.signer(deps.config.accessTokenSigningAlg),
      accessClaims(deps, user, session, now, scopes),
    ),
    token_type: 'Bearer',
    expires_in: ttl,
    scope: scopes.join(' '),
  };
};
