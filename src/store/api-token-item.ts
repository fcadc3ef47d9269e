import type { ApiTokenRecord } from '../core/tokens/api-tokens';
import { type Item, withoutKeys } from './items';

/** Nullable fields are left out when null, so conditions can test attribute_not_exists. */
export const toApiToken = (item: Item): ApiTokenRecord => {
  const token = withoutKeys<ApiTokenRecord>(item);
  return {
    ...token,
    scopes: token.scopes ?? null,
    expiresAt: token.expiresAt ?? null,
    lifetimeSeconds: token.lifetimeSeconds ?? null,
    lastUsedAt: token.lastUsedAt ?? null,
    revokedAt: token.revokedAt ?? null,
  };
};
