import { secretShape } from './base64url';
import type { CoreDeps } from './deps';
import { GatehouseError } from './errors';

/** Refuses a second post of a form by its one-time value (a reload would repeat the change). */
export const assertFirstPost = async (deps: CoreDeps, once: string): Promise<void> => {
  const now = deps.clock.now();
  const fresh =
    secretShape([''], 24).test(once) &&
    (await deps.store.markOnce(`form#${once}`, now + 86_400_000, now));
  if (!fresh) {
    throw new GatehouseError(
      'conflict',
      'This form was already sent (a reload posts it again). Nothing was changed this time.',
    );
  }
};
