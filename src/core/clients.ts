import { timingSafeEqual } from 'node:crypto';
import { type RequestMeta, recordAudit } from './audit';
import { decodeCursor, encodeCursor } from './cursor';
import type { CoreDeps } from './deps';
import { GatehouseError } from './errors';
import { randomSecret, sha256 } from './ids';
import type { Actor } from './user-policy';

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
  grantTypes: GrantType[];
  confidential: boolean;
  firstParty: boolean;
  createdBy: string;
  createdAt: number;
}

export interface PublicClient {
  client_id: string;
  name: string;
  redirect_uris: string[];
  grant_types: GrantType[];
  confidential: boolean;
  first_party: boolean;
  created_at: string;
}

export interface NewClient {
  name: string;
  redirect_uris?: string[];
  grant_types: GrantType[];
  confidential: boolean;
  first_party?: boolean;
}

type UserActor = Extract<Actor, { kind: 'user' }>;

export const toPublicClient = (client: ClientRecord): PublicClient => ({
  client_id: client.clientId,
  name: client.name,
  redirect_uris: client.redirectUris,
  grant_types: client.grantTypes,
  confidential: client.confidential,
  first_party: client.firstParty,
  created_at: new Date(client.createdAt).toISOString(),
});

const invalid = (message: string) => new GatehouseError('record_invalid', message);

/** Client ids double as the apps' API keys (`x-api-key`): public, unguessable, recognisable. */
const newClientId = () => `gh_${randomSecret().slice(0, 24)}`;
const newClientSecret = () => `scs_${randomSecret()}`;

/**
 * Registers a client. Grants must fit its kind: client_credentials needs a secret, password
 * is for first-party clients only (RFC 9700 deprecates it otherwise), authorization_code
 * needs exact redirect URIs.
 */
export const createClient = async (
  deps: CoreDeps,
  actor: UserActor,
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
  const client: ClientRecord = {
    clientId: newClientId(),
    secretHash: secret ? sha256(secret) : null,
    name: input.name,
    redirectUris,
    grantTypes: grants,
    confidential: input.confidential,
    firstParty: input.first_party ?? false,
    createdBy: actor.user.id,
    createdAt: deps.clock.now(),
  };
  await deps.store.createClient(client);
  await recordAudit(deps, meta, {
    action: 'client.create',
    actorId: actor.user.id,
    actorTokenId: actor.tokenId,
    targetId: client.clientId,
    detail: { confidential: client.confidential, grant_types: grants.join(' ') },
  });
  return { ...toPublicClient(client), ...(secret ? { client_secret: secret } : {}) };
};

export const listClients = async (
  deps: CoreDeps,
  query: { limit?: number; cursor?: string },
): Promise<{ clients: PublicClient[]; next_cursor: string | null }> => {
  const page = await deps.store.listClients({
    limit: query.limit ?? 50,
    ...(query.cursor ? { after: decodeCursor(query.cursor, 'clients') } : {}),
  });
  return {
    clients: page.items.map(toPublicClient),
    next_cursor: page.next ? encodeCursor(page.next, 'clients') : null,
  };
};

export const deleteClient = async (
  deps: CoreDeps,
  actor: UserActor,
  clientId: string,
  meta: RequestMeta,
): Promise<void> => {
  const client = await deps.store.getClient(clientId);
  if (!client) throw new GatehouseError('not_found', 'No such client.');
  await deps.store.deleteClient(clientId);
  await recordAudit(deps, meta, {
    action: 'client.delete',
    actorId: actor.user.id,
    actorTokenId: actor.tokenId,
    targetId: clientId,
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
