import type { Config } from '../core/shared/config';

/** The /oauth/* endpoints a browser app calls (contract, CORS); the others serve servers. */
const BROWSER_OAUTH_PATHS = new Set(['/oauth/token', '/oauth/userinfo', '/oauth/revoke']);

/** `/.well-known/*` answer `*` themselves (the actions): nothing here overrides it. */
export const isWellKnown = (path: string): boolean => path.startsWith('/.well-known/');

/** Whether CORS_ALLOWED_ORIGINS may call this API path: the JSON API and the browser's /oauth/*. */
const corsAllowedOn = (path: string): boolean =>
  path.startsWith('/oauth/') ? BROWSER_OAUTH_PATHS.has(path) : !isWellKnown(path);

/** Whether the registered clients' redirect origins (and ALLOWED_REDIRECT_ORIGINS) may call it. */
export const clientOriginsOn = (path: string): boolean => BROWSER_OAUTH_PATHS.has(path);

/**
 * The origins that may read every answer on an API path, errors included, known from settings
 * alone: CORS_ALLOWED_ORIGINS where they apply, ALLOWED_REDIRECT_ORIGINS where the route
 * shares with them. An action may add its client's origins (the token endpoint, userinfo).
 */
export const standingOrigins = (
  config: Pick<Config, 'corsAllowedOrigins' | 'allowedRedirectOrigins'>,
  path: string,
  { redirectOrigins }: { redirectOrigins: boolean },
): string[] => [
  ...(corsAllowedOn(path) ? config.corsAllowedOrigins : []),
  ...(redirectOrigins ? config.allowedRedirectOrigins : []),
];

/**
 * API Gateway's route for preflights to /oauth/*: the oauth function, which may list the
 * clients whose redirect origins may call those endpoints. Other preflights reach `$default`
 * (discovery, which reads nothing but the published keys). The local server routes the same.
 */
export const oauthPreflightRoute = {
  method: 'OPTIONS',
  path: '/oauth/{proxy+}',
  function: 'oauth',
} as const;
