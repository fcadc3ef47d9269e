import type { DynamoSettings } from './dynamo-settings';
import { projections } from './item-access';
import { lazyGetItem } from './lazy-get-item';
import { keys } from './schema';

/**
 * For the authorizer: whether a session has ended. A missing or expired session counts as
 * ended.
 */
export const sessionRevocationReader = (settings: DynamoSettings, tableName: string) => {
  const getItem = lazyGetItem(settings);
  return async (sid: string): Promise<boolean> => {
    const item = await getItem(tableName, keys.session(sid), {
      attributes: projections.sessionState,
      consistent: true,
    });
    if (!item || item.revokedAt) return true;
    return Number(item.expiresAt?.N ?? 0) <= Date.now();
  };
};
