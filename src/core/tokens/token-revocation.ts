import type { RequestMeta } from '../audit/audit';
import { recordAudit } from '../audit/audit';
import type { CoreDeps } from '../shared/deps';
import { isGatehouseError } from '../shared/errors';
import { type Actor, permissionsFor } from '../users/user-policy';
import type { AccessTokenClaims } from './access-tokens';
import { revokeApiToken } from './api-tokens';
import { findLiveToken } from './introspection';

type UserActor = Extract<Actor, { kind: 'user' }>;

/**
 * RFC 7009: revokes a token the caller owns or administers (the role ceiling); anything else,
 * unknown tokens included, is quietly left alone, and the answer is the same.
 */
export const revokeAnyToken = async (
  deps: CoreDeps,
  actor: UserActor,
  token: string,
  verifyAccessToken: (token: string) => Promise<AccessTokenClaims>,
  meta: RequestMeta,
): Promise<void> => {
  const found = await findLiveToken(deps, token, verifyAccessToken);
  if (!found || !permissionsFor(actor, found.user).canManage) return;
  if (found.kind === 'api_token') {
    await revokeApiToken(deps, actor, found.tokenId, meta).catch((error: unknown) => {
      // A refusal stays silent (RFC 7009); a database out is no revocation and must not read as one.
      if (!isGatehouseError(error) || error.code === 'unavailable') throw error;
    });
    return;
  }
  const sid = found.kind === 'refresh_token' ? found.sid : found.claims.sid;
  if (!sid) return;
  await deps.store.revokeSession(sid, deps.clock.now());
  await recordAudit(deps, meta, {
    action: 'token.revoke',
    actorId: actor.user.id,
    actorTokenId: actor.tokenId,
    targetId: found.user.id,
    detail: { token_type: found.kind, sid },
  });
};

/** RFC 7009 for a client caller: it owns the sessions issued to it, and nothing else. */
export const revokeClientToken = async (
  deps: CoreDeps,
  clientId: string,
  token: string,
  verifyAccessToken: (token: string) => Promise<AccessTokenClaims>,
  meta: RequestMeta,
): Promise<void> => {
  const found = await findLiveToken(deps, token, verifyAccessToken);
  if (!found || found.kind === 'api_token') return;
  const sid = found.kind === 'refresh_token' ? found.sid : found.claims.sid;
  const session = sid ? await deps.store.getSession(sid) : null;
  if (!session || session.clientId !== clientId) return;
  await deps.store.revokeSession(session.sid, deps.clock.now());
  await recordAudit(deps, meta, {
    action: 'token.revoke',
    actorId: null,
    targetId: found.user.id,
    detail: { token_type: found.kind, sid: session.sid, client_id: clientId },
  });
};
