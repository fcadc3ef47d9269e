import { type RequestMeta, recordAudit } from '../audit/audit';
import { toIso } from '../shared/clock';
import type { CoreDeps } from '../shared/deps';
import { GatehouseError } from '../shared/errors';
import type { UserRecord } from '../users/users';
import type { ClientRecord } from './clients';
import { consentCovers, grantScopes } from './oauth-scopes';

/** What a user allowed a client: the union of every Allow, until revoked. */
export interface ConsentRecord {
  userId: string;
  clientId: string;
  scopes: string[];
  /** The latest Allow. */
  grantedAt: number;
}

/** `GET /me/grants`' item. */
export interface PublicGrant {
  client_id: string;
  client_name: string;
  scopes: string[];
  granted_at: string;
}

export type AuthorizationDecision =
  | { kind: 'grant'; scope: string[] }
  | { kind: 'consent'; scope: string[] };

/**
 * What `/oauth/authorize` does once the user is known: the scope to grant (InvalidScopeError
 * when beyond the user's grants), and whether the user must be asked first. A first-party
 * client is never asked; a third-party one is asked unless a remembered Allow covers the
 * scope, and always with `prompt=consent`.
 */
export const decideAuthorization = async (
  deps: CoreDeps,
  user: UserRecord,
  client: ClientRecord,
  requested: string[] | null,
  promptConsent: boolean,
): Promise<AuthorizationDecision> => {
  const scope = grantScopes(deps.scopes, user.role, requested, client.firstParty);
  if (client.firstParty) return { kind: 'grant', scope };
  if (promptConsent) return { kind: 'consent', scope };
  const remembered = await deps.store.getConsent(user.id, client.clientId);
  return remembered && consentCovers(remembered.scopes, scope)
    ? { kind: 'grant', scope }
    : { kind: 'consent', scope };
};

/**
 * Invariant (consent withdrawal): a third-party client's code is exchanged, and its session
 * refreshed, only while the user's consent for that client exists and covers the scope; so
 * DELETE /me/grants also stops a code in flight and a session the sweep missed. A
 * first-party client needs no consent.
 */
export const consentStillHolds = async (
  deps: CoreDeps,
  userId: string,
  client: ClientRecord,
  scope: readonly string[],
): Promise<boolean> => {
  if (client.firstParty) return true;
  const consent = await deps.store.getConsent(userId, client.clientId);
  return consent !== null && consentCovers(consent.scopes, scope);
};

/** The user pressed Allow: the scope is remembered for the client (added to what was). */
export const allowConsent = async (
  deps: CoreDeps,
  user: UserRecord,
  client: ClientRecord,
  scope: string[],
  meta: RequestMeta,
): Promise<void> => {
  // Still within the user's grants now (a demotion since the page was shown narrows nothing
  // silently: it refuses).
  grantScopes(deps.scopes, user.role, scope, client.firstParty);
  const now = deps.clock.now();
  await deps.store.grantConsent({
    userId: user.id,
    clientId: client.clientId,
    scopes: scope,
    grantedAt: now,
  });
  await recordAudit(deps, meta, {
    action: 'consent.grant',
    actorId: user.id,
    targetId: client.clientId,
    detail: { scope: scope.join(' ') },
  });
};

/** The user's remembered grants, oldest first; a deleted client's are left out. */
export const listGrants = async (deps: CoreDeps, userId: string): Promise<PublicGrant[]> => {
  const consents = await deps.store.listConsents(userId);
  const clients = await Promise.all(consents.map((c) => deps.store.getClient(c.clientId)));
  return consents.flatMap((consent, i) => {
    const client = clients[i];
    return client
      ? [
          {
            client_id: consent.clientId,
            client_name: client.name,
            scopes: consent.scopes,
            granted_at: toIso(consent.grantedAt),
          },
        ]
      : [];
  });
};

/**
 * Withdraws a consent and ends every session the client holds for the user (within the
 * revocation bound: the authorizer checks sessions): its refresh tokens stop at once.
 */
export const revokeGrant = async (
  deps: CoreDeps,
  userId: string,
  clientId: string,
  meta: RequestMeta,
  actorTokenId: string | null = null,
): Promise<void> => {
  const now = deps.clock.now();
  if (!(await deps.store.getConsent(userId, clientId))) {
    throw new GatehouseError('not_found', 'You have granted that client nothing.');
  }
  // Sessions first: if this stops halfway, the grant is still listed and can be revoked again.
  const ended = await deps.store.revokeUserClientSessions(userId, clientId, now);
  await deps.store.deleteConsent(userId, clientId);
  await recordAudit(deps, meta, {
    action: 'consent.revoke',
    actorId: userId,
    actorTokenId,
    targetId: clientId,
    detail: { sessions: ended },
  });
};
