import { originOf } from '../identity/return-to';
import type { CoreDeps } from '../shared/deps';
import { GatehouseError } from '../shared/errors';
import type { Position } from '../shared/store';
import type { ClientRecord } from './clients';

/** A registered client by id, or null. */
export const findClient = (deps: CoreDeps, clientId: string): Promise<ClientRecord | null> =>
  deps.store.getClient(clientId);

/** A public client that names itself (no secret to prove); null for an unknown or confidential one. */
export const findPublicClient = async (
  deps: CoreDeps,
  clientId: string,
): Promise<ClientRecord | null> => {
  const client = await deps.store.getClient(clientId);
  return client && !client.confidential ? client : null;
};

/** The client, when it is registered with exactly this redirect URI; otherwise null. */
export const clientRegisteredFor = async (
  deps: CoreDeps,
  clientId: string,
  redirectUri: string,
): Promise<ClientRecord | null> => {
  const client = clientId ? await deps.store.getClient(clientId) : null;
  return client?.redirectUris.includes(redirectUri) ? client : null;
};

/** The origins a client's redirect URIs are on (CSP form-action after a sign-in for it). */
export const clientRedirectOrigins = async (
  deps: CoreDeps,
  clientId: string,
): Promise<string[]> => {
  const client = clientId ? await deps.store.getClient(clientId) : null;
  return [...new Set((client?.redirectUris ?? []).map(originOf))];
};

/**
 * The one client registered with exactly this redirect URI (a flow that names no client);
 * two such clients must be told apart with `client_id`.
 */
export const clientRedirectingTo = async (
  deps: CoreDeps,
  redirectUri: string,
): Promise<ClientRecord> => {
  const matching: ClientRecord[] = [];
  let after: Position | undefined;
  do {
    const page = await deps.store.listClients({ limit: 200, ...(after ? { after } : {}) });
    matching.push(...page.items.filter((c) => c.redirectUris.includes(redirectUri)));
    after = page.next ?? undefined;
  } while (after);
  if (matching.length > 1) {
    throw new GatehouseError(
      'record_invalid',
      'client_id: several clients use this redirect URI; say which one.',
    );
  }
  const [client] = matching;
  if (!client) {
    throw new GatehouseError(
      'record_invalid',
      'return_to: no client is registered with this redirect URI for codes.',
    );
  }
  return client;
};

/** Every registered client's redirect origins (a CORS preflight to /oauth/*, before any client is named). */
export const everyClientRedirectOrigin = async (deps: CoreDeps): Promise<Set<string>> => {
  const origins = new Set<string>();
  let after: Position | undefined;
  do {
    const page = await deps.store.listClients({ limit: 200, ...(after ? { after } : {}) });
    for (const client of page.items)
      for (const uri of client.redirectUris) origins.add(originOf(uri));
    after = page.next ?? undefined;
  } while (after);
  return origins;
};
