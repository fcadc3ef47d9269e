import { randomBytes, timingSafeEqual } from 'node:crypto';
import { originOf } from '../../core/identity/return-to';
import { GatehouseError } from '../../core/shared/errors';
import { header } from '../../http/http-event';
import { needs } from '../../http/middleware/state';
import { isSecure, type PageMiddleware } from './page-state';

export const CSRF_COOKIE = 'gatehouse_csrf';

const sameToken = (a: string, b: string) =>
  a.length === b.length && a.length > 0 && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/** A per-browser token in a SameSite=Strict cookie, issued on the first visit. */
export const csrfCookie = (): PageMiddleware => ({
  before: async (request) => {
    const { internal } = request;
    let csrf = needs(request, 'cookies')[CSRF_COOKIE] ?? '';
    if (!/^[\w-]{43}$/.test(csrf)) {
      csrf = randomBytes(32).toString('base64url');
      const secure = isSecure(request) ? '; Secure' : '';
      needs(request, 'setCookies').push(
        `${CSRF_COOKIE}=${csrf}; Path=/; HttpOnly; SameSite=Strict${secure}`,
      );
    }
    internal.csrf = csrf;
  },
});

/**
 * RP-Initiated Logout's own POST, sent by an application's page: it ends a session only on a
 * verified ID token of that session's user and otherwise asks on a CSRF-checked page.
 */
const PROTOCOL_POSTS = new Set(['POST /oauth/logout']);

/** A POST must echo the token, and come from the pages' own origin when the browser says. */
export const csrfCheck = (): PageMiddleware => ({
  before: async (request) => {
    if (request.event.requestContext.http.method.toUpperCase() !== 'POST') return;
    if (PROTOCOL_POSTS.has(request.internal.page?.routeKey ?? '')) return;
    const origin = header(request.event, 'origin');
    const ownOrigin = originOf(needs(request, 'deps').config.issuerUrl);
    const echoed = needs(request, 'form').get('csrf') ?? '';
    if ((origin && origin !== ownOrigin) || !sameToken(echoed, needs(request, 'csrf'))) {
      throw new GatehouseError(
        'forbidden',
        'This form has expired or came from another site. Go back, reload and try again.',
      );
    }
  },
});
