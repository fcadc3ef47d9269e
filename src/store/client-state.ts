import { projections } from './item-access';
import type { LazyDynamo } from './lazy-dynamo-client';
import { lazyGetItem } from './lazy-get-item';
import { keys } from './schema';

/** For the authorizer: whether an OAuth client exists (its id is an app's API key). */
export const clientExistsReader = (dynamo: LazyDynamo, tableName: string) => {
  const getItem = lazyGetItem(dynamo);
  return async (clientId: string): Promise<boolean> =>
    (await getItem(tableName, keys.client(clientId), { attributes: projections.clientExists })) !==
    undefined;
};
