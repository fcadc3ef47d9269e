import { pkcePair } from './oauth';

/**
 * A browser without a browser, for end-to-end tests of the hosted pages over HTTP: a cookie
 * jar, redirects followed by hand, and the forms' CSRF token read from the page.
 */
export const browserFlow = (base: () => string) => {
  const jar = new Map<string, string>();
  /** The jar as a Cookie header (a request another site's page makes in this browser). */
  const cookieHeader = () => [...jar].map(([name, value]) => `${name}=${value}`).join('; ');
  const request = async (method: 'GET' | 'POST', path: string, form?: Record<string, string>) => {
    const headers: Record<string, string> = { cookie: cookieHeader() };
    if (form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      headers.origin = base();
    }
    const response = await fetch(new URL(path, base()), {
      method,
      headers,
      redirect: 'manual',
      ...(form ? { body: new URLSearchParams(form).toString() } : {}),
    });
    for (const cookie of response.headers.getSetCookie()) {
      const [pair] = cookie.split(';');
      const at = (pair ?? '').indexOf('=');
      const name = (pair ?? '').slice(0, at);
      const value = (pair ?? '').slice(at + 1);
      if (/max-age=0/i.test(cookie) || value === '') jar.delete(name);
      else jar.set(name, value);
    }
    return {
      status: response.status,
      location: response.headers.get('location'),
      text: await response.text(),
    };
  };
  /** A hidden field's value on a page (`csrf`, `request`). */
  const hidden = (page: string, name: string) =>
    new RegExp(`name="${name}" value="([^"]*)"`).exec(page)?.[1]?.replaceAll('&amp;', '&') ?? '';

  const signIn = async (login: string, password: string) => {
    const page = await request('GET', '/sign-in');
    const done = await request('POST', '/sign-in', {
      csrf: hidden(page.text, 'csrf'),
      return_to: '/console',
      login,
      password,
    });
    if (done.status !== 303) throw new Error(`hosted sign-in: ${done.status} ${done.text}`);
  };
  /** GET /oauth/authorize with a fresh PKCE pair (S256) and `params`; redirects not followed. */
  const authorize = async (params: Record<string, string>) => {
    const { verifier, challenge } = pkcePair();
    const query = new URLSearchParams({
      response_type: 'code',
      ...params,
      code_challenge: challenge,
      code_challenge_method: 'S256',
    });
    return { verifier, authorized: await request('GET', `/oauth/authorize?${query}`) };
  };

  /** Opens the consent page at `location` and answers it with `decision`. */
  const consent = async (location: string, decision: 'allow' | 'deny') => {
    const page = await request('GET', location);
    const answered = await request('POST', '/consent', {
      csrf: hidden(page.text, 'csrf'),
      request: hidden(page.text, 'request'),
      decision,
    });
    return { page, answered };
  };
  return { request, hidden, signIn, authorize, consent, cookieHeader };
};
