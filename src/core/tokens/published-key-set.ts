import type { Store } from '../shared/store';
import {
  ensureSigningKeySet,
  publicJwks,
  type SigningKeySet,
  type SigningKeySource,
} from './signing-keys';

/**
 * A signer's read of the key set: loads (or on first start creates) it and makes sure its
 * public half is published. Invariant: a set with a key that signs now or later and that the
 * JWKS lacks is published before it signs (the store refuses to go back a generation, so a
 * stale set never shrinks a newer JWKS).
 */
export const loadPublishedKeySet = async (
  source: SigningKeySource,
  store: Pick<Store, 'getPublishedKeys' | 'publishKeys'>,
  now: number,
): Promise<SigningKeySet> => {
  const set = await ensureSigningKeySet(source, now);
  const published = await store.getPublishedKeys();
  const kids = new Set(published?.keys.map((key) => key.kid));
  const signsNowOrLater = set.keys.filter((key) => key.retiredAt === null || key.retiredAt > now);
  if (!published || signsNowOrLater.some((key) => !kids.has(key.kid))) {
    await store.publishKeys(set.generation, publicJwks(set).keys);
  }
  return set;
};
