/**
 * The revocation feed in the tokens table: one item per ended session, `REVOKED#<shard>` /
 * `<15-digit ms>#<sid>`, written in the same transaction that ends the session
 * (dynamo-shared.ts revokeSessionItem). The authorizer reads "ended since T" with one
 * consistent Query per shard per window (revocation-feed-reader.ts). SDK-free: the authorizer
 * imports it without loading the SDK.
 */
import type { Revocation } from '../core/shared/store';
import { keys } from './schema';

/**
 * Shards of the feed: a partition takes at most 1,000 write units a second and an item written
 * in a transaction costs 2, so 4 partitions cap revocations at about 2,000 a second (a sweep
 * writes one entry per session); each reader pays one Query per shard per window.
 */
const REVOCATION_SHARDS = 4;

/**
 * How long an entry is kept (DynamoDB TTL): longer than any authorizer's lookback (the longest
 * access token, ACCESS_TOKEN_TTL_SECONDS <= 86,400, plus skew), so a cold start finds them all.
 */
const REVOCATION_RETENTION_SECONDS = 2 * 86_400;

/** FNV-1a of the sid: a stable shard, spread evenly over random ids. */
const revocationShardOf = (sid: string): number => {
  let hash = 0x811c9dc5;
  for (let i = 0; i < sid.length; i++) {
    hash ^= sid.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % REVOCATION_SHARDS;
};

/** The feed entry for `sid` ending at `at`, as a DocumentClient item. */
export const revocationItem = (sid: string, at: number) => ({
  ...keys.revocation(revocationShardOf(sid), Math.floor(at), sid),
  ttl: Math.floor(at / 1000) + REVOCATION_RETENTION_SECONDS,
});

/** The Query of one shard's entries since `since` (sort key only: the time and the sid). */
export const revocationQuery = (shard: number, since: number) => {
  const { pk, sk } = keys.revocation(shard, Math.max(0, Math.floor(since)), '');
  return {
    KeyConditionExpression: 'pk = :pk AND sk >= :from',
    values: { ':pk': pk, ':from': sk },
    ProjectionExpression: 'sk',
    ConsistentRead: true,
  } as const;
};

/** An entry's sort key back to what it says. */
export const revocationOf = (sk: string): Revocation => {
  const separator = sk.indexOf('#');
  return { at: Number(sk.slice(0, separator)), sid: sk.slice(separator + 1) };
};

export const allRevocationShards = Array.from({ length: REVOCATION_SHARDS }, (_, shard) => shard);
