import { timingSafeEqual } from 'node:crypto';
import { type RequestMeta, recordAudit } from '../audit/audit';
import { toIso } from '../shared/clock';
import { decodeCursor, encodeCursor } from '../shared/cursor';
import type { CoreDeps } from '../shared/deps';
import { GatehouseError } from '../shared/errors';
import { randomSecret, sha256 } from '../shared/ids';
import { createUser, deleteUser } from '../users/user-management';
import { type Actor, actorId, auditActor, operatorDetail } from '../users/user-policy';

export const GRANT_TYPES = [
  'authorization_code',
  'refresh_token',
  'client_credentials',
  'password',
] as const;
export type GrantType = (typeof GRANT_TYPES)[number];

/** An OAuth client as stored: a confidential one's secret only as its SHA-256. */
export interface ClientRecord {
  clientId: string;
  secretHash: string | null;
  name: string;
  redirectUris: string[];
  /** Where RP-initiated logout may send the browser back to, matched exactly; absent: none. */
  postLogoutRedirectUris?: string[];
  grantTypes: GrantType[];
  confidential: boolean;
  firstParty: boolean;
  /**
   * client_credentials: the machine user the client acts as (Keycloak's service account).
   * Its role, managed through /users, bounds the client's tokens.
   */
  serviceUserId: string | null;
  /** Null when an operator made it (the CLI). */
  createdBy: string | null;
  createdAt: number;
  /** OIDC Dynamic Client Registration's id_token_signed_response_alg; absent: RS256. */
  idTokenSignedResponseAlg?: IdTokenAlg;
}

/** What a client may register as its ID tokens' algorithm. */
export const ID_TOKEN_ALGS = ['RS256', 'ES256'] as const;
export type IdTokenAlg = (typeof ID_TOKEN_ALGS)[number];

export interface PublicClient {
  client_id: string;
  name: string;
  redirect_uris: string[];
  post_logout_redirect_uris: string[];
  grant_types: GrantType[];
  confidential: boolean;
  first_party: boolean;
  /** The client's service account (client_credentials), else null. */
  user_id: string | null;
  /** The algorithm of the ID tokens it is issued. */
  id_token_signed_response_alg: IdTokenAlg;
  created_at: string;
}

export interface NewClient {
  name: string;
  redirect_uris?: string[];
  post_logout_redirect_uris?: string[];
  grant_types: GrantType[];
  confidential: boolean;
  first_party?: boolean;
  id_token_signed_response_alg?: IdTokenAlg;
}

export const toPublicClient = (client: ClientRecord): PublicClient => ({
  client_id: client.clientId,
  name: client.name,
  redirect_uris: client.redirectUris,
  post_logout_redirect_uris: client.postLogoutRedirectUris ?? [],
  grant_types: client.grantTypes,
  confidential: client.confidential,
  first_party: client.firstParty,
  user_id: client.serviceUserId,
  id_token_signed_response_alg: client.idTokenSignedResponseAlg ?? 'RS256',
  created_at: toIso(client.createdAt),
});

const invalid = (message: string) => new GatehouseError('record_invalid', message);

/** Client ids double as the apps' API keys (`x-api-key`): public, unguessable, recognisable. */
const newClientId = () => `gh_${randomSecret().slice(0, 24)}`;
const newClientSecret = () => `scs_${randomSecret()}`;

/** A client with client_credentials acts as a machine user of its own, a viewer at first. */
const createServiceAccount = async (
  deps: CoreDeps,
  actor: Actor,
  name: string,
  meta: RequestMeta,
): Promise<string> => {
  const user = await createUser(
    deps,
    actor,
    { type: 'machine', role: 'viewer', name: `${name} (OAuth client)`.slice(0, 100) },
    meta,
  );
  return user.id;
};

/**
 * Registers a client. Grants must fit its kind: client_credentials needs a secret, password
 * is for first-party clients only (RFC 9700 deprecates it otherwise), authorization_code
 * needs exact redirect URIs.
 */
export const createClient = async (
  deps: CoreDeps,
  actor: Actor,
  input: NewClient,
  meta: RequestMeta,
): Promise<PublicClient & { client_secret?: string }> => {
  const grants = [...new Set(input.grant_types)];
  const redirectUris = [...new Set(input.redirect_uris ?? [])];
  if (grants.includes('client_credentials') && !input.confidential) {
    throw invalid('grant_types: client_credentials needs a confidential client.');
  }
  if (grants.includes('password') && !input.first_party) {
    throw invalid('grant_types: the password grant is for first-party clients only.');
  }
  if (grants.includes('authorization_code') && redirectUris.length === 0) {
    throw invalid('redirect_uris: authorization_code needs at least one redirect URI.');
  }
  const secret = input.confidential ? newClientSecret() : undefined;
  const serviceUserId = grants.includes('client_credentials')
    ? await createServiceAccount(deps, actor, input.name, meta)
    : null;
  const client: ClientRecord = {
    clientId: newClientId(),
    secretHash: secret ? sha256(secret) : null,
    name: input.name,
    redirectUris,
    postLogoutRedirectUris: [...new Set(input.post_logout_redirect_uris ?? [])],
    grantTypes: grants,
    confidential: input.confidential,
    firstParty: input.first_party ?? false,
    serviceUserId,
    createdBy: actorId(actor),
    createdAt: deps.clock.now(),
    ...(input.id_token_signed_response_alg
      ? { idTokenSignedResponseAlg: input.id_token_signed_response_alg }
      : {}),
  };
  try {
    await deps.store.createClient(client);
  } catch (error) {
    // No client, no service account: nothing half-made is left behind.
    if (serviceUserId) await deleteUser(deps, actor, serviceUserId, meta);
    throw error;
  }
  await recordAudit(deps, meta, {
    action: 'client.create',
    ...auditActor(actor),
    targetId: client.clientId,
    detail: {
      confidential: client.confidential,
      grant_types: grants.join(' '),
      ...(serviceUserId ? { service_user_id: serviceUserId } : {}),
      ...operatorDetail(actor),
    },
  });
  return { ...toPublicClient(client), ...(secret ? { client_secret: secret } : {}) };
};

export const listClients = async (
  deps: CoreDeps,
  query: { limit?: number; cursor?: string },
): Promise<{ clients: PublicClient[]; next_cursor: string | null }> => {
  const page = await deps.store.listClients({
    limit: query.limit ?? 50,
    ...(query.cursor ? { after: await decodeCursor(deps, query.cursor, 'clients') } : {}),
  });
  return {
    clients: page.items.map(toPublicClient),
    next_cursor: page.next ? await encodeCursor(deps, page.next, 'clients') : null,
  };
};

/**
 * Deleting a client ends every session it was issued and deletes its service account.
 * Sessions are revoked before the client goes (a failure there leaves the client in place, so
 * a retry finds it) and again after (a session opened in between is caught too). Once the
 * client is gone its refresh tokens fail anyway (refresh needs the client to authenticate);
 * access tokens end within the revocation bound, as their sessions are revoked.
 */
export const deleteClient = async (
  deps: CoreDeps,
  actor: Actor,
  clientId: string,
  meta: RequestMeta,
): Promise<void> => {
  const client = await deps.store.getClient(clientId);
  if (!client) throw new GatehouseError('not_found', 'No such client.');
  const before = await deps.store.revokeClientSessions(clientId, deps.clock.now());
  await deps.store.deleteClient(clientId);
  const sessions = before + (await deps.store.revokeClientSessions(clientId, deps.clock.now()));
  if (client.serviceUserId) {
    try {
      await deleteUser(deps, actor, client.serviceUserId, meta);
    } catch (error) {
      // Already deleted through /users: nothing left to do.
      if (!(error instanceof GatehouseError && error.code === 'not_found')) throw error;
    }
  }
  await recordAudit(deps, meta, {
    action: 'client.delete',
    ...auditActor(actor),
    targetId: clientId,
    detail: { sessions, ...operatorDetail(actor) },
  });
};

/** A confidential client proving itself (RFC 6749 §2.3.1); null when it does not. */
export const authenticateClient = async (
  deps: CoreDeps,
  clientId: string,
  secret: string,
): Promise<ClientRecord | null> => {
  const client = await deps.store.getClient(clientId);
  const expected = client?.secretHash ?? sha256('no client: same work');
  const given = sha256(secret);
  const matches = timingSafeEqual(Buffer.from(expected), Buffer.from(given));
  return client?.confidential && matches ? client : null;
};
