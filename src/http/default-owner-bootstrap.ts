import { ensureDefaultOwner } from '../core/default-owner';
import type { CoreDeps } from '../core/deps';
import { ownerPasswordFromEnv } from './composition';
import { logger } from './logger';

/** A cold start's check that the default owner exists (the password comes from Secrets Manager). */
export const bootstrapDefaultOwner = async (deps: CoreDeps): Promise<void> => {
  const result = await ensureDefaultOwner(deps, ownerPasswordFromEnv(process.env));
  if (result.created) logger.warn({ owner: result.user?.email }, 'created the default owner');
};
