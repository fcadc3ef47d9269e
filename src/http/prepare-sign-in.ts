import type { CoreDeps } from '../core/shared/deps';
import { ensureDefaultOwner } from '../core/users/default-owner';
import { ownerPasswordFromEnv } from './composition';
import { logger } from './logger';

/**
 * The sign-in function's cold start: make sure the default owner exists (its password comes
 * from Secrets Manager) and prepare the dummy hash that unknown logins are checked against.
 */
export const prepareSignIn = async (deps: CoreDeps): Promise<void> => {
  const [result] = await Promise.all([
    ensureDefaultOwner(deps, ownerPasswordFromEnv(process.env)),
    deps.hasher.warmUp(),
  ]);
  if (result.created) logger.warn({ owner: result.user?.email }, 'created the default owner');
};
