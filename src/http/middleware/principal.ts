import type { CoreDeps } from '../../core/shared/deps';
import { GatehouseError, UNAVAILABLE_RETRY_SECONDS } from '../../core/shared/errors';
import { findDefaultOwner } from '../../core/users/default-owner';
import { type Principal, readContext } from '../principal';
import type { Route } from '../routes';
import { needs, type PipelineMiddleware } from './state';

/** The authenticated caller, by the route's rule; the authorizer has already run. */
const resolvePrincipal = async (
  route: Route,
  context: Record<string, unknown> | undefined,
  deps: CoreDeps,
): Promise<Principal | null> => {
  if (route.auth === 'public') return null;
  const reading = readContext(context);
  if (reading.kind === 'refused') {
    // The authorizer could not decide (its database out): 503 with Retry-After, not a bad token.
    const retryAfter = reading.code === 'unavailable' ? UNAVAILABLE_RETRY_SECONDS : undefined;
    throw new GatehouseError(reading.code, reading.message, retryAfter);
  }
  if (reading.kind === 'anonymous') {
    // Fail closed: a protected route never runs without the authorizer's principal.
    if (route.auth === 'optional') return null;
    throw new GatehouseError('token_invalid', 'Authentication is required.');
  }
  const { principal } = reading;
  if (!principal.actingAsDefaultOwner) return principal;
  if (deps.config.requireUserAuthentication) {
    throw new GatehouseError('token_invalid', 'Authentication is required.');
  }
  const owner = await findDefaultOwner(deps);
  if (!owner) throw new GatehouseError('token_invalid', 'The default owner does not exist.');
  return { ...principal, userId: owner.id };
};

/** The caller from the authorizer's context; the default owner is looked up by email. */
export const principal = (): PipelineMiddleware => ({
  before: async (request) => {
    request.internal.principal = await resolvePrincipal(
      needs(request, 'route'),
      request.event.requestContext.authorizer?.lambda,
      needs(request, 'deps'),
    );
  },
});
