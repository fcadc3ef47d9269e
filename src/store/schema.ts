import { cutToBytes } from './utf8';
/**
 * The DynamoDB tables, described once: CDK builds them from this, the adapter reads and writes
 * by it, and the local server and tests create their tables from it. Key design and access
 * patterns: docs/data-model.md.
 */
export interface TableIndex {
  name: string;
  partitionKey: string;
  sortKey: string;
}

export interface TableSchema {
  /** CDK construct id; also the table name locally. */
  id: string;
  /** Environment variable that carries the table's name to the functions. */
  envVar: string;
  partitionKey: string;
  sortKey: string;
  /** Attribute holding an epoch-seconds expiry, for DynamoDB TTL. */
  ttlAttribute?: string;
  indexes: TableIndex[];
}

export const tables = {
  users: {
    id: 'Users',
    envVar: 'USERS_TABLE',
    partitionKey: 'pk',
    sortKey: 'sk',
    // Sparse indexes over user items only, each sorted by creation: a page of any listing
    // is one Query, whatever the number of users.
    indexes: [
      { name: 'byList', partitionKey: 'listPk', sortKey: 'listSk' },
      { name: 'byRole', partitionKey: 'rolePk', sortKey: 'listSk' },
      { name: 'byStatus', partitionKey: 'statusPk', sortKey: 'listSk' },
      { name: 'byRoleStatus', partitionKey: 'roleStatusPk', sortKey: 'listSk' },
    ],
  },
  tokens: {
    id: 'Tokens',
    envVar: 'TOKENS_TABLE',
    partitionKey: 'pk',
    sortKey: 'sk',
    ttlAttribute: 'ttl',
    indexes: [
      { name: 'byUser', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
      // API tokens and OAuth clients only (sparse), newest first: `kindPk` says which.
      { name: 'byKind', partitionKey: 'kindPk', sortKey: 'kindSk' },
    ],
  },
  audit: {
    id: 'Audit',
    envVar: 'AUDIT_TABLE',
    partitionKey: 'pk',
    sortKey: 'sk',
    ttlAttribute: 'ttl',
    // Every listing is newest first by `atSk` (ISO time + id).
    indexes: [
      { name: 'byTime', partitionKey: 'timePk', sortKey: 'atSk' },
      { name: 'byActor', partitionKey: 'actorPk', sortKey: 'atSk' },
      { name: 'byTarget', partitionKey: 'targetPk', sortKey: 'atSk' },
      { name: 'byAction', partitionKey: 'actionPk', sortKey: 'atSk' },
    ],
  },
} as const satisfies Record<string, TableSchema>;

export type TableName = keyof typeof tables;

/** Creation order as a sort key: fixed-width milliseconds so it sorts as a string, then the id. */
export const creationSortKey = (createdAt: number, id: string) =>
  `${String(createdAt).padStart(15, '0')}#${id}`;

/** Key builders: the one place item keys are spelled. */
/**
 * The part of a searchable value a search entry keeps: its first 512 bytes, so the entry's sort
 * key (value, field, user id) stays under DynamoDB's 1,024 bytes whatever the name. A search
 * for a longer prefix is cut the same way.
 */
export const searchPrefix = (value: string): string => cutToBytes(value, 512);

export const keys = {
  user: (id: string) => ({ pk: `USER#${id}`, sk: 'USER' }),
  email: (emailKey: string) => ({ pk: `EMAIL#${emailKey}`, sk: 'EMAIL' }),
  username: (usernameKey: string) => ({ pk: `USERNAME#${usernameKey}`, sk: 'USERNAME' }),
  owners: () => ({ pk: 'META', sk: 'OWNERS' }),
  /** A federated identity's uniqueness item: provider and subject kept apart, never joined. */
  identity: (provider: string, subject: string) => ({
    pk: `IDENTITY#${provider}`,
    sk: `SUBJECT#${subject}`,
  }),
  session: (sid: string) => ({ pk: `SESSION#${sid}`, sk: 'SESSION' }),
  sessionsOfUser: (userId: string) => `USER#${userId}`,
  /**
   * The list of sessions issued to a client, one item per session in the client's own
   * partition of the tokens table: read with a consistent Query (a GSI could miss a session
   * created a moment before the client is deleted). Gone by TTL with the session.
   */
  sessionOfClient: (clientId: string, sid: string) => ({
    pk: `CLIENTSESSIONS#${clientId}`,
    sk: `SESSION#${sid}`,
  }),
  /**
   * The list of a user's imported refresh credentials' sessions (core/sessions/imported-refresh.ts),
   * in the user's own partition, read consistently by the sweep that replaces one: a GSI
   * could miss a session imported a moment before, which has no expiry to end it.
   */
  importedSessionOf: (userId: string, sid: string) => ({
    pk: `IMPORTEDSESSIONS#${userId}`,
    sk: `SESSION#${sid}`,
  }),
  refresh: (hash: string) => ({ pk: `REFRESH#${hash}`, sk: 'REFRESH' }),
  loginFailures: (key: string) => ({ pk: `LOGINFAIL#${key}`, sk: 'LOGINFAIL' }),
  publishedKeys: () => ({ pk: 'JWKS', sk: 'PUBLIC' }),
  /** Prefix search entries: one per searchable field of a user, in one sorted partition. */
  search: (value: string, field: string, userId: string) => ({
    pk: 'SEARCH',
    sk: `${searchPrefix(value)}\u0000${field}\u0000${userId}`,
  }),
  auditEvent: (id: string) => ({ pk: `EVENT#${id}`, sk: 'EVENT' }),
  apiToken: (tokenId: string) => ({ pk: `APITOKEN#${tokenId}`, sk: 'APITOKEN' }),
  client: (clientId: string) => ({ pk: `CLIENT#${clientId}`, sk: 'CLIENT' }),
  authorizationCode: (hash: string) => ({ pk: `CODE#${hash}`, sk: 'CODE' }),
  oneTimeToken: (hash: string) => ({ pk: `OTT#${hash}`, sk: 'OTT' }),
  /** A rate-limit counter: one per key and window, gone by TTL. */
  counter: (key: string) => ({ pk: `RATE#${key}`, sk: 'RATE' }),
  /** A one-time marker (an SSO token seen), gone by TTL after it no longer matters. */
  once: (key: string) => ({ pk: `ONCE#${key}`, sk: 'ONCE' }),
  /**
   * MFA of a user, in the users table (no TTL: confirmed factors live until removed): one
   * partition per user, apart from the user item so the authorizer's `USER#*` grant never
   * reaches a secret; one consistent Query reads every factor and the recovery set.
   */
  mfaFactor: (userId: string, factorId: string) => ({
    pk: `MFA#${userId}`,
    sk: `FACTOR#${factorId}`,
  }),
  /** The user's confirmed factor count and recovery set (salt, digests as a string set). */
  mfaState: (userId: string) => ({ pk: `MFA#${userId}`, sk: 'STATE' }),
  /** An unconfirmed factor, in the tokens table: gone by TTL after its 10 minutes. */
  pendingFactor: (factorId: string) => ({ pk: `MFAPENDING#${factorId}`, sk: 'MFAPENDING' }),
  /**
   * A WebAuthn credential id's lookup (users table, no TTL): its user and factor, written and
   * deleted in the factor's own transactions, so a passkey sign-in finds only live factors.
   */
  webAuthnCredential: (credentialId: string) => ({
    pk: `WEBAUTHN#${credentialId}`,
    sk: 'WEBAUTHN',
  }),
  /** A WebAuthn challenge (public, base64url), in the tokens table: taken once, gone by TTL. */
  webAuthnChallenge: (challenge: string) => ({
    pk: `WEBAUTHNCHALLENGE#${challenge}`,
    sk: 'WEBAUTHNCHALLENGE',
  }),
  /** An `mfa_token` by its SHA-256, in the tokens table: gone by TTL. */
  mfaToken: (hash: string) => ({ pk: `MFATOKEN#${hash}`, sk: 'MFATOKEN' }),
  /**
   * One entry of the revocation feed (src/store/revocation-feed.ts): a session ended at `at`,
   * in shard `shard`'s partition, sorted by time so "ended since T" is one Query per shard.
   */
  revocation: (shard: number, at: number, sid: string) => ({
    pk: `REVOKED#${shard}`,
    sk: `${String(at).padStart(15, '0')}#${sid}`,
  }),
  /**
   * One shard of an activity counter window (src/store/activity-items.ts), in the audit table
   * (TTL; no index key, so no audit listing sees it): a granularity's shard is one partition,
   * sorted by window start, so a chart's windows are one Query per shard.
   */
  activity: (granularity: 'hour' | 'day', shard: number, start: string) => ({
    pk: `ACTIVITY#${granularity === 'hour' ? 'H' : 'D'}#${shard}`,
    sk: start,
  }),
  /** A user's OAuth consent to one client; the user's consents share a partition. */
  consent: (userId: string, clientId: string) => ({
    pk: `CONSENT#${userId}`,
    sk: `CLIENT#${clientId}`,
  }),
};
