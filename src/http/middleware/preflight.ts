import { everyClientRedirectOrigin } from '../../core/oauth/client-lookup';
import type { CoreDeps } from '../../core/shared/deps';
import { clientOriginsOn, isWellKnown, standingOrigins } from '../cors-policy';
import { header } from '../http-event';
import type { HttpResult } from '../responses';
import { matchRoute } from '../route-match';
import type { PipelineMiddleware } from './state';

/** How long a warm function trusts its list of registered redirect origins. */
const CLIENT_ORIGINS_TTL_MS = 60_000;
/** An unknown origin re-reads the list no more often than this: a flood costs one Query. */
const CLIENT_ORIGINS_MISS_MS = 5_000;

/** The registered clients' redirect origins, read again after a while or on a miss. */
const clientOriginsReader = () => {
  let cached: { at: number; origins: Set<string> } | undefined;
  return async (deps: CoreDeps, origin: string): Promise<boolean> => {
    const now = deps.clock.now();
    const age = cached ? now - cached.at : Number.POSITIVE_INFINITY;
    const stale = age > CLIENT_ORIGINS_TTL_MS;
    if (!cached || stale || (!cached.origins.has(origin) && age > CLIENT_ORIGINS_MISS_MS)) {
      cached = { at: now, origins: await everyClientRedirectOrigin(deps) };
    }
    return cached.origins.has(origin);
  };
};

const allowing = (origin: string, methods: string): HttpResult => ({
  statusCode: 204,
  headers: {
    'access-control-allow-origin': origin,
    'access-control-allow-methods': methods,
    'access-control-allow-headers': 'authorization, content-type, x-api-key',
    'access-control-max-age': '600',
    // `*` is the same for everyone; an echoed origin must not be cached for another.
    ...(origin === '*' ? {} : { vary: 'Origin' }),
  },
});

export interface PreflightOptions {
  deps: () => CoreDeps;
  /** This function may list the clients (the oauth function): it answers /oauth/* preflights. */
  readsClients: boolean;
}

/**
 * A browser's CORS preflight (OPTIONS with an Origin on an API path), answered before any
 * route: 204 with the path's methods to an origin that may call it, 204 with no CORS headers
 * to any other. Invariant: the origins are those that may read the answers (./cors.ts), never
 * an echo of whatever Origin came, and never credentials mode. Answered early, so the log line
 * of ./request-log.ts is not written for it (API Gateway's access log has it).
 */
export const preflight = ({ deps, readsClients }: PreflightOptions): PipelineMiddleware => {
  const isClientOrigin = clientOriginsReader();
  return {
    before: async ({ event }) => {
      const origin = header(event, 'origin');
      if (event.requestContext.http.method !== 'OPTIONS' || !origin) return;
      const match = matchRoute('OPTIONS', event.rawPath);
      // Not an API path (a page, an unknown path): the usual 404 or 405.
      if (match.kind !== 'wrong_method') return;
      const methods = [...new Set(match.allowed)].join(', ');
      const path = event.rawPath;
      if (isWellKnown(path)) return allowing('*', methods);
      const resolved = deps();
      const redirectOrigins = clientOriginsOn(path);
      const allowed =
        standingOrigins(resolved.config, path, { redirectOrigins }).includes(origin) ||
        (redirectOrigins && readsClients && (await isClientOrigin(resolved, origin)));
      return allowed ? allowing(origin, methods) : { statusCode: 204, headers: {} };
    },
  };
};
