/**
 * The hosted pages and the authorization endpoint, as data: CDK adds each to the HTTP API
 * (function `pages`, no authorizer: pages read the session cookie), the local server mounts
 * them, the pages function serves them.
 */
export interface PageRoute {
  method: 'GET' | 'POST';
  path: string;
}

const get = (path: string): PageRoute => ({ method: 'GET', path });
const post = (path: string): PageRoute => ({ method: 'POST', path });

export const pageRoutes: readonly PageRoute[] = [
  get('/sign-in'),
  post('/sign-in'),
  get('/sign-in/mfa'),
  post('/sign-in/mfa'),
  post('/sign-in/mfa/options'),
  post('/sign-in/passkey/options'),
  post('/sign-in/passkey'),
  post('/sign-out'),
  get('/sign-up'),
  post('/sign-up'),
  get('/verify-email'),
  post('/verify-email'),
  get('/forgot-password'),
  post('/forgot-password'),
  get('/reset-password'),
  post('/reset-password'),
  get('/oauth/authorize'),
  get('/oauth/logout'),
  post('/oauth/logout'),
  post('/oauth/logout/confirm'),
  get('/consent'),
  post('/consent'),
  get('/console'),
  post('/console/profile'),
  post('/console/password'),
  get('/console/mfa/totp'),
  post('/console/mfa/totp'),
  post('/console/mfa/totp/{factor_id}/confirm'),
  get('/console/mfa/webauthn'),
  post('/console/mfa/webauthn'),
  post('/console/mfa/webauthn/finish'),
  post('/console/mfa/step-up-options'),
  post('/console/mfa/{factor_id}/remove'),
  post('/console/mfa/recovery-codes'),
  get('/console/tokens'),
  post('/console/tokens'),
  post('/console/tokens/{token_id}/revoke'),
  post('/console/grants/{client_id}/revoke'),
  get('/console/users'),
  post('/console/users'),
  get('/console/users/{id}'),
  post('/console/users/{id}'),
  post('/console/users/{id}/password'),
  post('/console/users/{id}/approve'),
  post('/console/users/{id}/reject'),
  post('/console/users/{id}/delete'),
  post('/console/users/{id}/identities/unlink'),
  post('/console/users/{id}/sessions/{sid}/sign-out'),
  post('/console/users/{id}/sessions/sign-out-all'),
  post('/console/users/{id}/tokens/{token_id}/revoke'),
  post('/console/users/{id}/mfa/clear'),
  post('/console/users/{id}/unlock'),
  get('/console/lockouts'),
  post('/console/lockouts/clear'),
  get('/console/audit'),
  get('/console/audit/export.csv'),
  get('/console/audit/export.jsonl'),
  get('/console/activity'),
  get('/console/clients'),
  post('/console/clients'),
  get('/assets/{file}'),
  get('/link-account'),
  post('/link-account'),
];

export const pageRouteKey = (route: PageRoute) => `${route.method} ${route.path}`;
