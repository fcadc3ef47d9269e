/**
 * The items a narrowly trusted function (the authorizer, discovery) may touch, key by key and
 * attribute by attribute. One list serves two ends: the store adapters name exactly these
 * attributes in their ProjectionExpression / UpdateExpression, and CDK turns each grant into an
 * IAM statement conditioned on `dynamodb:LeadingKeys` and `dynamodb:Attributes` (lib/functions.ts),
 * so what the code asks and what IAM allows cannot drift apart unnoticed
 * (test/integration/authorizer-item-access.test.ts replays the adapters' requests against them).
 *
 * Invariant: no grant here allows PutItem, DeleteItem, BatchWriteItem or Scan, a Query only of
 * the revocation feed's partitions (`REVOKED#*`, the table itself, no index), and only
 * the key rotation (which holds the private keys) names the published keys' partition (`JWKS`)
 * with anything but a read.
 */
import type { ActivityMetric } from '../core/activity/metrics';
import { activityTtlAttribute } from './activity-items';
import { keys } from './schema';

/** One kind of item, reached by its key only. */
export interface ItemGrant {
  /**
   * `get`: GetItem with a projection. `update`: UpdateItem of the named attributes. IAM cannot
   * tell an UpdateItem that changes an item from one that creates it, so an `update` grant can
   * also create an item holding only its key and these attributes (the adapters' requests are
   * conditioned on the item existing). For the authorizer's `lastUsedAt` stamp on
   * `APITOKEN#*` that is harmless: an item with a key and `lastUsedAt` alone has no hash,
   * owner or scopes, so no token matches it and nothing reads it as one (impact nil).
   * `query`: Query of the table (never an index) in these partitions, projecting these only.
   */
  action: 'get' | 'update' | 'query';
  /** Partition key values it may name (IAM `dynamodb:LeadingKeys`; `*` matches any suffix). */
  partitions: readonly string[];
  /** Every attribute a request may name, the table keys included (IAM `dynamodb:Attributes`). */
  attributes: readonly string[];
}

/** Attributes each reader projects (never `pk`/`sk` unless it needs them). */
export const projections = {
  publishedKeys: ['generation', 'jwks'],
  sessionState: ['revokedAt', 'expiresAt'],
  /** The API token record (src/core/tokens/api-tokens.ts), without index or TTL attributes. */
  apiToken: [
    'tokenId',
    'hash',
    'name',
    'scopes',
    'userId',
    'createdBy',
    'createdAt',
    'expiresAt',
    'lifetimeSeconds',
    'renewable',
    'lastUsedAt',
    'lastUsedFrom',
    'revokedAt',
    'mfaAtCreation',
  ],
  clientExists: ['pk'],
  /** A feed entry says everything in its sort key: when, and which session. */
  revocationFeed: ['sk'],
  /** Of a token's owner: never the password hash, email or anything else. */
  ownerStanding: ['role', 'status', 'type'],
} as const;

/** What the authorizer writes on an API token: when it was last used (hourly), and from where. */
export const lastUsedAttribute = 'lastUsedAt';
export const lastUsedFromAttribute = 'lastUsedFrom';

/** A partition pattern from a key builder: `APITOKEN#x` -> `APITOKEN#*`. */
const partitionOf = (pk: string): string => pk.replace(/#.*$/, '#*');
const tableKeys = ['pk', 'sk'] as const;
const get = (pk: string, attributes: readonly string[]): ItemGrant => ({
  action: 'get',
  partitions: [partitionOf(pk)],
  attributes: [...new Set([...tableKeys, ...attributes])],
});

/** The revocation feed's shards (src/store/revocation-feed.ts), read by Query since a time. */
const revocationFeedQuery: ItemGrant = {
  action: 'query',
  partitions: [partitionOf(keys.revocation(0, 0, 'x').pk)],
  attributes: [...new Set([...tableKeys, ...projections.revocationFeed])],
};

const publishedKeysRead = get(keys.publishedKeys().pk, projections.publishedKeys);

/**
 * The authorizer: the published keys, the revocation feed, a session's end (tokens older than
 * the feed's coverage), an API token and its owner's standing,
 * whether a client exists (REQUIRE_API_KEY), and the `lastUsedAt`/`lastUsedFrom` stamp on API
 * tokens (hourly, or a minute after a use from a new address).
 */
export const authorizerItemAccess = {
  tokens: [
    publishedKeysRead,
    revocationFeedQuery,
    get(keys.session('x').pk, projections.sessionState),
    get(keys.apiToken('x').pk, projections.apiToken),
    get(keys.client('x').pk, projections.clientExists),
    {
      action: 'update',
      partitions: [partitionOf(keys.apiToken('x').pk)],
      attributes: [...tableKeys, lastUsedAttribute, lastUsedFromAttribute],
    },
  ],
  users: [get(keys.user('x').pk, projections.ownerStanding)],
} as const satisfies Record<string, readonly ItemGrant[]>;

/**
 * Gatehouse's own authorizer (its API's, and the local server's) also counts API token uses:
 * ADD to `token_uses` of the activity counters (src/store/activity-items.ts), never a read.
 * Another team's GatehouseAuthorizer keeps authorizerItemAccess: its stack names no audit table.
 */
export const countingAuthorizerItemAccess = {
  ...authorizerItemAccess,
  audit: [
    {
      action: 'update',
      partitions: [partitionOf(keys.activity('hour', 0, 'x').pk)],
      attributes: [...tableKeys, 'token_uses' satisfies ActivityMetric, activityTtlAttribute],
    },
  ],
} as const satisfies Record<string, readonly ItemGrant[]>;

/** Discovery serves the JWKS: it reads the published keys and nothing else. */
export const discoveryItemAccess = {
  tokens: [publishedKeysRead],
} as const satisfies Record<string, readonly ItemGrant[]>;

/**
 * The signing keys' rotation function: reads the published keys back and publishes the next
 * set's (an UpdateItem of `generation` and `jwks`, src/store/publish-keys.ts), nothing else.
 */
export const keyRotationItemAccess = {
  tokens: [
    publishedKeysRead,
    {
      action: 'update',
      partitions: [keys.publishedKeys().pk],
      attributes: [...tableKeys, ...projections.publishedKeys],
    },
  ],
} as const satisfies Record<string, readonly ItemGrant[]>;

/** A ProjectionExpression naming these attributes through placeholders (reserved words). */
export const projectionOf = (attributes: readonly string[]) => ({
  ProjectionExpression: attributes.map((_, i) => `#p${i}`).join(', '),
  ExpressionAttributeNames: Object.fromEntries(attributes.map((name, i) => [`#p${i}`, name])),
});
