import type { PublicJwk } from '../core/tokens/signing-keys';
import { projections } from './item-access';
import type { LazyDynamo } from './lazy-dynamo-client';
import { lazyGetItem } from './lazy-get-item';
import { keys } from './schema';

/** The published public keys are kept as one JSON string, readable without the document client. */
export const parsePublishedKeys = (item: Record<string, unknown>) => ({
  generation: Number(item.generation),
  keys: JSON.parse(String(item.jwks ?? '[]')) as PublicJwk[],
});

/** For the authorizer: reads the published keys (the SDK is imported on first call). */
export const publishedKeysReader = (dynamo: LazyDynamo, tableName: string) => {
  const getItem = lazyGetItem(dynamo);
  return async (): Promise<PublicJwk[]> => {
    const item = await getItem(tableName, keys.publishedKeys(), {
      attributes: projections.publishedKeys,
      consistent: true,
    });
    if (!item) return [];
    return parsePublishedKeys({ generation: item.generation?.N, jwks: item.jwks?.S }).keys;
  };
};
