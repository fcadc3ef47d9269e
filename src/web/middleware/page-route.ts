import { GatehouseError } from '../../core/shared/errors';
import { checkedPathParameters } from '../../http/path-parameters';
import { createRouteMatcher } from '../../http/route-match';
import type { PageRoute } from '../routes';
import type { PageMiddleware } from './page-state';

/** The page route table's entry for the request; a page with no action is not found. */
export const pageRoute = (
  table: readonly PageRoute[],
  hasAction: (routeKey: string) => boolean,
): PageMiddleware => {
  const match = createRouteMatcher(table);
  return {
    before: async ({ event, internal }) => {
      const found = match(event.requestContext.http.method, event.rawPath);
      if (found.kind !== 'found' || !hasAction(found.routeKey)) {
        throw new GatehouseError('not_found', 'There is no such page.');
      }
      internal.page = {
        routeKey: found.routeKey,
        params: checkedPathParameters(found.pathParameters),
      };
    },
  };
};
