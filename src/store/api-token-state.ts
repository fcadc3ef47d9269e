import type { ApiTokenRecord } from '../core/tokens/api-tokens';
import type { Role } from '../core/users/roles';
import type { UserStatus, UserType } from '../core/users/users';
import { toApiToken } from './api-token-item';
import { lastUsedAttribute, lastUsedFromAttribute, projectionOf, projections } from './item-access';
import type { LazyDynamo } from './lazy-dynamo-client';
import { keys } from './schema';

export interface ApiTokenState {
  token: ApiTokenRecord;
  /** The token's user as stored now; null once deleted. */
  owner: { role: Role; status: UserStatus; type: UserType } | null;
}

const LAST_USED_GRANULARITY_MS = 3_600_000;
/** A use from a new address stamps early, but never twice a minute per token per instance. */
const NEW_ADDRESS_GRANULARITY_MS = 60_000;
const USER_AGENT_MAX = 200;

/** Where a use came from, as the authorizer's event says (a TOKEN event says nothing). */
export interface UseOrigin {
  ip: string | null;
  userAgent: string | null;
}

/**
 * For the authorizer: an API token and its owner's current standing, and its `lastUsedAt` and
 * `lastUsedFrom` stamp (hourly, or a minute after a use from another address), with the SDK
 * imported on first call (the function loads without it).
 */
export const apiTokenStateStore = (
  lazyDynamo: LazyDynamo,
  tables: { tokens: string; users: string },
) => {
  const sdk = async () => {
    const [{ sdk: dynamo, client }, util] = await Promise.all([
      lazyDynamo(),
      import('@aws-sdk/util-dynamodb'),
    ]);
    return { dynamo, util, client };
  };
  /** This instance's last stamp per token: the stored one may be older than the cached state. */
  const stamped = new Map<string, { at: number; ip: string | null }>();
  const MAX_REMEMBERED = 10_000;

  const stamp = async (tokenId: string, at: number, stale: number, origin: UseOrigin) => {
    const { dynamo, util, client } = await sdk();
    try {
      await client.send(
        new dynamo.UpdateItemCommand({
          TableName: tables.tokens,
          Key: util.marshall(keys.apiToken(tokenId)),
          // Names only `pk`, `lastUsedAt` and `lastUsedFrom`, returns nothing: all its grant allows.
          UpdateExpression: 'SET #used = :at, #from = :from',
          ConditionExpression:
            'attribute_exists(pk) AND (attribute_not_exists(#used) OR #used < :stale)',
          ExpressionAttributeNames: { '#used': lastUsedAttribute, '#from': lastUsedFromAttribute },
          ExpressionAttributeValues: util.marshall({
            ':at': at,
            ':stale': stale,
            ':from': {
              ip: origin.ip,
              userAgent:
                origin.userAgent === null ? null : origin.userAgent.slice(0, USER_AGENT_MAX),
            },
          }),
        }),
      );
    } catch (error) {
      if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
    }
  };

  return {
    async load(tokenId: string): Promise<ApiTokenState | null> {
      const { dynamo, util, client } = await sdk();
      const found = await client.send(
        new dynamo.GetItemCommand({
          TableName: tables.tokens,
          Key: util.marshall(keys.apiToken(tokenId)),
          ...projectionOf(projections.apiToken),
          ConsistentRead: true,
        }),
      );
      if (!found.Item) return null;
      const token = toApiToken(util.unmarshall(found.Item));
      const user = await client.send(
        new dynamo.GetItemCommand({
          TableName: tables.users,
          Key: util.marshall(keys.user(token.userId)),
          ...projectionOf(projections.ownerStanding),
          ConsistentRead: true,
        }),
      );
      const owner = user.Item ? (util.unmarshall(user.Item) as ApiTokenState['owner']) : null;
      return { token, owner };
    },
    /**
     * The stamp a use needs, or null (the hot path's usual answer, decided without a promise):
     * at most one write per token per hour, and one a minute when the address changes.
     */
    markUsed(token: ApiTokenRecord, at: number, origin: UseOrigin): Promise<void> | null {
      const mine = stamped.get(token.tokenId);
      const last = mine ?? { at: token.lastUsedAt, ip: token.lastUsedFrom?.ip ?? null };
      const moved = origin.ip !== null && origin.ip !== last.ip;
      const granularity = moved ? NEW_ADDRESS_GRANULARITY_MS : LAST_USED_GRANULARITY_MS;
      if (last.at !== null && at - last.at < granularity) return null;
      if (stamped.size >= MAX_REMEMBERED) stamped.clear();
      stamped.set(token.tokenId, { at, ip: origin.ip });
      return stamp(token.tokenId, at, at - granularity, origin);
    },
  };
};
