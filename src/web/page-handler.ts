import type { RequestMeta } from '../core/audit/audit';
import type { CoreDeps } from '../core/shared/deps';
import { assertFirstPost as assertFirstFormPost } from '../core/shared/first-post';
import type { SessionRecord } from '../core/shared/store';
import type { UserRecord } from '../core/users/users';
import { SESSION_COOKIE, setCookie } from '../http/cookies';
import type { HttpResult } from '../http/responses';
import type { Html } from './html';

/** What a page action gets and gives (the pipeline is in pages-handler.ts). */
export interface PageRequest {
  deps: CoreDeps;
  method: string;
  path: string;
  params: Record<string, string>;
  query: URLSearchParams;
  /** The POSTed form, CSRF-checked; empty on GET. */
  form: URLSearchParams;
  /** The signed-in browser session, or null. */
  signedIn: { user: UserRecord; session: SessionRecord } | null;
  /** The CSRF token every form of the page carries. */
  csrf: string;
  meta: RequestMeta;
  secure: boolean;
  /** Cookies an action wants set (sign-in, sign-out). */
  setCookies: string[];
  /** The request's cookies (the pending account link's); absent in hand-made requests. */
  cookies?: Record<string, string>;
}

export type PageAction = (request: PageRequest) => Promise<HttpResult>;

/** Thrown by a page that sends the browser elsewhere first; the error middleware answers it. */
export class Redirect extends Error {
  constructor(readonly result: HttpResult) {
    super('redirect');
  }
}

/** The headers of every page: no inline script, no framing, nothing cached or leaked. */
export const pageHeaders = (formActionOrigins: string[] = []): Record<string, string> => ({
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'content-security-policy': [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    `form-action 'self'${formActionOrigins.map((o) => ` ${o}`).join('')}`,
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join('; '),
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  // Not `no-referrer`: with it, browsers send `Origin: null` on the pages' own form posts,
  // which the CSRF check refuses. `same-origin` still gives other sites nothing.
  'referrer-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=()',
  'cross-origin-opener-policy': 'same-origin',
});

export const page = (
  status: number,
  body: Html,
  options: { formActionOrigins?: string[] } = {},
): HttpResult => ({
  statusCode: status,
  headers: pageHeaders(options.formActionOrigins),
  body: body.value,
});

/** After a form: 303, so a reload does not post it again. */
export const seeOther = (location: string): HttpResult => ({
  statusCode: 303,
  headers: { location, 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' },
});

/** Refuses a second post of a form that carried `onceField()` (see layout.ts). */
export const assertFirstPost = (request: PageRequest): Promise<void> =>
  assertFirstFormPost(request.deps, request.form.get('once') ?? '');

/** The session cookie a sign-in sets. */
export const sessionCookie = (value: string, deps: CoreDeps, secure: boolean) =>
  setCookie(SESSION_COOKIE, value, {
    path: '/',
    maxAgeSeconds: deps.config.sessionTtlSeconds,
    secure,
  });
