import { projections } from './item-access';
import type { LazyDynamo } from './lazy-dynamo-client';
import { lazyGetItem } from './lazy-get-item';
import { keys } from './schema';

/**
 * For the authorizer: whether a session has ended. A missing or expired session counts as
 * ended.
 */
export const sessionRevocationReader = (dynamo: LazyDynamo, tableName: string) => {
  const getItem = lazyGetItem(dynamo);
  return async (sid: string): Promise<boolean> => {
    const item = await getItem(tableName, keys.session(sid), {
      attributes: projections.sessionState,
      consistent: true,
    });
    if (!item || item.revokedAt) return true;
    return Number(item.expiresAt?.N ?? 0) <= Date.now();
  };
};
