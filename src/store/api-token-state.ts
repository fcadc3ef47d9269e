import type { ApiTokenRecord } from '../core/tokens/api-tokens';
import type { Role } from '../core/users/roles';
import type { UserStatus, UserType } from '../core/users/users';
import { toApiToken } from './api-token-item';
import { lastUsedAttribute, projectionOf, projections } from './item-access';
import type { LazyDynamo } from './lazy-dynamo-client';
import { keys } from './schema';

export interface ApiTokenState {
  token: ApiTokenRecord;
  /** The token's user as stored now; null once deleted. */
  owner: { role: Role; status: UserStatus; type: UserType } | null;
}

const LAST_USED_GRANULARITY_MS = 3_600_000;

/**
 * For the authorizer: an API token and its owner's current standing, and a once-an-hour
 * `lastUsedAt` stamp, with the SDK imported on first call (the function loads without it).
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
    /** At most one write per token per hour, whatever the traffic. */
    async markUsed(token: ApiTokenRecord, at: number): Promise<void> {
      if (token.lastUsedAt !== null && at - token.lastUsedAt < LAST_USED_GRANULARITY_MS) return;
      const { dynamo, util, client } = await sdk();
      try {
        await client.send(
          new dynamo.UpdateItemCommand({
            TableName: tables.tokens,
            Key: util.marshall(keys.apiToken(token.tokenId)),
            // Names only `pk` and `lastUsedAt`, returns nothing: all its IAM grant allows.
            UpdateExpression: 'SET #used = :at',
            ConditionExpression:
              'attribute_exists(pk) AND (attribute_not_exists(#used) OR #used < :stale)',
            ExpressionAttributeNames: { '#used': lastUsedAttribute },
            ExpressionAttributeValues: util.marshall({
              ':at': at,
              ':stale': at - LAST_USED_GRANULARITY_MS,
            }),
          }),
        );
      } catch (error) {
        if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
      }
    },
  };
};
