/** The browser's session (API.md, JWT SSO): HttpOnly, SameSite=Lax, Secure on https. */
export const SESSION_COOKIE = 'gatehouse_session';
/** An SSO flow's PKCE binding, between its first leg and the provider's callback. */
export const SSO_FLOW_COOKIE = 'gatehouse_sso_flow';
/** A pending account link's one-time secret (core/identity/pending-link.ts), for `/link-account` only. */
export const PENDING_LINK_COOKIE = 'gatehouse_link';
export const PENDING_LINK_PATH = '/link-account';
/** An OIDC federation flow's handle (core/identity/federation-flow.ts), for its callback only. */
export const FEDERATION_FLOW_COOKIE = 'gatehouse_federation';
export const FEDERATION_FLOW_PATH = '/auth/federated';

export interface CookieOptions {
  path: string;
  maxAgeSeconds: number;
  secure: boolean;
}

export const setCookie = (name: string, value: string, options: CookieOptions): string =>
  [
    `${name}=${value}`,
    `Path=${options.path}`,
    `Max-Age=${options.maxAgeSeconds}`,
    'HttpOnly',
    'SameSite=Lax',
    ...(options.secure ? ['Secure'] : []),
  ].join('; ');

export const clearCookie = (name: string, options: Omit<CookieOptions, 'maxAgeSeconds'>) =>
  setCookie(name, '', { ...options, maxAgeSeconds: 0 });

/** HTTP API hands cookies over as `name=value` strings; the first of a name wins. */
export const parseCookies = (cookies: string[] | undefined): Record<string, string> => {
  const jar: Record<string, string> = {};
  for (const cookie of cookies ?? []) {
    const at = cookie.indexOf('=');
    if (at <= 0) continue;
    const name = cookie.slice(0, at).trim();
    if (!(name in jar)) jar[name] = cookie.slice(at + 1).trim();
  }
  return jar;
};
