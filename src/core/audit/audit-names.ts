import type { CoreDeps } from '../shared/deps';
import type { AuditEvent } from './audit';

/** What an id in an event names, for a reader: never a secret, only names. */
export interface AuditNames {
  users: Map<string, { label: string; machine: boolean }>;
  tokens: Map<string, string>;
  clients: Map<string, string>;
}

const text = (value: unknown) => (typeof value === 'string' && value ? value : null);

/** Where an event names a client: its target for `client.*`, else `detail.client_id`. */
export const clientIdOf = (event: AuditEvent): string | null =>
  event.action.startsWith('client.') ? event.target_id : text(event.detail.client_id);

/** The user, token and client ids a page of events names (targets of `client.*` are clients). */
const idsIn = (events: AuditEvent[]) => {
  const users = new Set<string>();
  const tokens = new Set<string>();
  const clients = new Set<string>();
  for (const event of events) {
    if (event.actor_id) users.add(event.actor_id);
    if (event.target_id && !event.action.startsWith('client.')) users.add(event.target_id);
    const serviceUser = text(event.detail.service_user_id);
    if (serviceUser) users.add(serviceUser);
    const token = text(event.detail.token_id) ?? event.actor_token_id;
    if (token) tokens.add(token);
    const client = clientIdOf(event);
    if (client) clients.add(client);
  }
  return { users, tokens, clients };
};

/**
 * The names behind a page's ids, where they still exist: one GetItem per distinct id (at most
 * three per event, a page of 50 events reads at most 150 items, in parallel).
 */
export const namesInAuditEvents = async (
  deps: CoreDeps,
  events: AuditEvent[],
): Promise<AuditNames> => {
  const ids = idsIn(events);
  const [users, tokens, clients] = await Promise.all([
    Promise.all([...ids.users].map((id) => deps.store.getUser(id))),
    Promise.all([...ids.tokens].map((id) => deps.store.getApiToken(id))),
    Promise.all([...ids.clients].map((id) => deps.store.getClient(id))),
  ]);
  const names: AuditNames = { users: new Map(), tokens: new Map(), clients: new Map() };
  for (const user of users) {
    if (!user) continue;
    // Machine users have no real mailbox: their name says who they are.
    const machine = user.type === 'machine';
    const label = machine ? (user.name ?? user.username ?? user.email) : user.email;
    names.users.set(user.id, { label, machine });
  }
  for (const token of tokens) if (token) names.tokens.set(token.tokenId, token.name);
  for (const client of clients) if (client) names.clients.set(client.clientId, client.name);
  return names;
};
