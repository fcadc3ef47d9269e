import type { DynamoSettings } from './dynamo-settings';
import { projections } from './item-access';
import { lazyGetItem } from './lazy-get-item';
import { keys } from './schema';

/** For the authorizer: whether an OAuth client exists (its id is an app's API key). */
export const clientExistsReader = (settings: DynamoSettings, tableName: string) => {
  const getItem = lazyGetItem(settings);
  return async (clientId: string): Promise<boolean> =>
    (await getItem(tableName, keys.client(clientId), { attributes: projections.clientExists })) !==
    undefined;
};
