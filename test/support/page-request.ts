import type { RequestMeta } from '../../src/core/audit/audit';
import type { CoreDeps } from '../../src/core/shared/deps';
import type { SessionRecord } from '../../src/core/shared/store';
import type { UserRecord } from '../../src/core/users/users';
import type { PageRequest } from '../../src/web/page-handler';

/**
 * A hosted-page request made by hand for unit tests: a GET unless a form is given, signed in
 * as `user` (browser session `sid`) or signed out, with the CSRF token `x`.
 */
export const pageRequest = (
  deps: CoreDeps,
  options: {
    method?: string;
    path?: string;
    params?: Record<string, string>;
    query?: Record<string, string> | string;
    form?: Record<string, string>;
    user?: UserRecord | null;
    sid?: string;
    /** The browser session as stored (its amr, auth time); default: a bare one named `sid`. */
    session?: SessionRecord;
    meta?: RequestMeta;
  } = {},
): PageRequest => ({
  deps,
  method: options.method ?? (options.form ? 'POST' : 'GET'),
  path: options.path ?? '/',
  params: options.params ?? {},
  query: new URLSearchParams(options.query ?? {}),
  form: new URLSearchParams(options.form ?? {}),
  signedIn: options.user
    ? {
        user: options.user,
        session:
          options.session ??
          ({ sid: options.sid ?? 's1', userId: options.user.id } as SessionRecord),
      }
    : null,
  csrf: 'x',
  meta: options.meta ?? { ip: null, userAgent: null },
  secure: true,
  setCookies: [],
});
