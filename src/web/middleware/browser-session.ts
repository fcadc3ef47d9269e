import { browserSessionUser } from '../../core/sessions/sessions';
import { clearCookie, SESSION_COOKIE } from '../../http/cookies';
import { needs } from '../../http/middleware/state';
import { isSecure, type PageMiddleware } from './page-state';

const STATIC_ROUTE = 'GET /assets/{file}';

/** The signed-in browser session, if any; a stale session cookie is cleared. */
export const browserSession = (): PageMiddleware => ({
  before: async (request) => {
    const { internal } = request;
    // Static files need no session: no read per stylesheet or script.
    if (needs(request, 'page').routeKey === STATIC_ROUTE) {
      internal.signedIn = null;
      return;
    }
    const cookie = needs(request, 'cookies')[SESSION_COOKIE];
    internal.signedIn = await browserSessionUser(needs(request, 'deps'), cookie);
    if (!internal.signedIn && cookie) {
      needs(request, 'setCookies').push(
        clearCookie(SESSION_COOKIE, { path: '/', secure: isSecure(request) }),
      );
    }
  },
});
