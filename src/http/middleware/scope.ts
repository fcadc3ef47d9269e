import { GatehouseError } from '../../core/shared/errors';
import { needs, type PipelineMiddleware } from './state';

/** A route that names a scope runs only for a principal whose token carries it. */
export const scope = (): PipelineMiddleware => ({
  before: async (request) => {
    const needed = needs(request, 'route').scope;
    if (needed && !request.internal.principal?.scopes.includes(needed)) {
      throw new GatehouseError('forbidden', `This needs the ${needed} scope.`);
    }
  },
});
