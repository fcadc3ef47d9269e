import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { RequestMeta } from '../core/audit';
import type { CoreDeps } from '../core/deps';
import { GatehouseError, isGatehouseError } from '../core/errors';
import { assertFirstPost as assertFirstFormPost } from '../core/first-post';
import { originOf } from '../core/return-to';
import { browserSessionUser } from '../core/sessions';
import type { SessionRecord } from '../core/store';
import type { UserRecord } from '../core/users';
import { appDeps } from '../http/composition';
import { clearCookie, SESSION_COOKIE, setCookie } from '../http/cookies';
import { errorStatus } from '../http/error-status';
import type { HttpEvent } from '../http/handler';
import { logger } from '../http/logger';
import { MAX_BODY_BYTES } from '../http/request-body';
import type { HttpResult } from '../http/responses';
import { createRouteMatcher } from '../http/route-match';
import type { Html } from './html';
import { errorPage } from './layout';
import { pageRouteKey, pageRoutes } from './routes';

export const CSRF_COOKIE = 'gatehouse_csrf';
const STATIC_ROUTE = 'GET /assets/{file}';

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

/** Thrown by a page that sends the browser elsewhere first (sign-in); the handler answers it. */
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

const parseCookies = (cookies: string[] | undefined): Record<string, string> => {
  const jar: Record<string, string> = {};
  for (const cookie of cookies ?? []) {
    const at = cookie.indexOf('=');
    if (at > 0 && !(cookie.slice(0, at).trim() in jar)) {
      jar[cookie.slice(0, at).trim()] = cookie.slice(at + 1).trim();
    }
  }
  return jar;
};

const sameToken = (a: string, b: string) =>
  a.length === b.length && a.length > 0 && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/** The form's text; over the JSON API's limit (64 KiB) it is 413, before any parsing. */
const bodyText = (event: HttpEvent) => {
  if (!event.body) return '';
  const bytes = Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8');
  if (bytes.length > MAX_BODY_BYTES) {
    throw new GatehouseError('payload_too_large', `The form is over ${MAX_BODY_BYTES / 1024} KiB.`);
  }
  return bytes.toString();
};

/**
 * The pages function: route, session cookie, CSRF (a per-browser token in a SameSite=Strict
 * cookie, echoed by every form, plus the Origin header when the browser sends one), errors as
 * pages, and the security headers on everything.
 */
export const createPagesHandler = (
  actions: Record<string, PageAction>,
  { deps = appDeps }: { deps?: () => CoreDeps } = {},
) => {
  const missing = pageRoutes.map(pageRouteKey).filter((key) => !actions[key]);
  if (missing.length) throw new Error(`pages: no action for ${missing.join(', ')}`);
  const match = createRouteMatcher(pageRoutes);

  return async (event: HttpEvent): Promise<HttpResult> => {
    const method = event.requestContext.http.method.toUpperCase();
    const found = match(method, event.rawPath);
    const resolved = deps();
    const secure = resolved.config.issuerUrl.startsWith('https:');
    const cookies = parseCookies(event.cookies);
    const setCookies: string[] = [];
    let csrf = cookies[CSRF_COOKIE] ?? '';
    if (!/^[\w-]{43}$/.test(csrf)) {
      csrf = randomBytes(32).toString('base64url');
      setCookies.push(
        `${CSRF_COOKIE}=${csrf}; Path=/; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`,
      );
    }
    const respond = (result: HttpResult): HttpResult => {
      const all = [...(result.cookies ?? []), ...setCookies];
      return all.length ? { ...result, cookies: all } : result;
    };
    try {
      // Every body is measured first, whatever the page (contract: over 64 KiB is 413).
      const text = bodyText(event);
      if (found.kind !== 'found') {
        throw new GatehouseError('not_found', 'There is no such page.');
      }
      const action = actions[found.routeKey];
      if (!action) throw new GatehouseError('not_found', 'There is no such page.');
      const form = method === 'POST' ? new URLSearchParams(text) : new URLSearchParams();
      if (method === 'POST') {
        const origin = event.headers?.origin;
        const ownOrigin = originOf(resolved.config.issuerUrl);
        if ((origin && origin !== ownOrigin) || !sameToken(form.get('csrf') ?? '', csrf)) {
          throw new GatehouseError(
            'forbidden',
            'This form has expired or came from another site. Go back, reload and try again.',
          );
        }
      }
      // Static files need no session: no read per stylesheet or script.
      const anonymous = found.routeKey === STATIC_ROUTE;
      const signedIn = anonymous
        ? null
        : await browserSessionUser(resolved, cookies[SESSION_COOKIE]);
      if (!anonymous && !signedIn && cookies[SESSION_COOKIE]) {
        setCookies.push(clearCookie(SESSION_COOKIE, { path: '/', secure }));
      }
      return respond(
        await action({
          deps: resolved,
          method,
          path: event.rawPath,
          params: found.pathParameters,
          query: new URLSearchParams(event.rawQueryString ?? ''),
          form,
          signedIn,
          csrf,
          meta: {
            ip: event.requestContext.http.sourceIp || null,
            userAgent: event.requestContext.http.userAgent || null,
          },
          secure,
          setCookies,
          cookies,
        }),
      );
    } catch (error) {
      if (error instanceof Redirect) return respond(error.result);
      if (isGatehouseError(error) && error.code !== 'internal') {
        const result = page(errorStatus[error.code], errorPage(error.message));
        return respond(
          error.retryAfterSeconds === undefined
            ? result
            : {
                ...result,
                headers: { ...result.headers, 'retry-after': String(error.retryAfterSeconds) },
              },
        );
      }
      logger.error({ err: error, path: event.rawPath }, 'page failed');
      return respond(page(500, errorPage('Something went wrong on our side.')));
    }
  };
};

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
