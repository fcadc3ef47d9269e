import { afterAll, beforeAll } from 'vitest';
import { useLocalStack } from './local-stack';
import { startTestOidcIdp } from './oidc-idp';

/**
 * The local stack with the test OpenID Provider in IDENTITY_PROVIDERS: `providers` are its
 * entries (ids and settings), each pointing at the one test provider, whose client allows
 * each entry's callback.
 */
export const useFederationStack = async (
  env: Record<string, string>,
  providers: Record<string, unknown>[],
  idpOptions: { publicClient?: boolean } = {},
) => {
  const idp = await startTestOidcIdp(idpOptions);
  afterAll(() => idp.stop());
  const entries = providers.map((overrides) => idp.providerEntry(overrides));
  const local = useLocalStack({ IDENTITY_PROVIDERS: JSON.stringify(entries), ...env });
  beforeAll(() => {
    for (const entry of entries) {
      idp.allowRedirect(`${local.stack().url}/auth/federated/${entry.id}/callback`);
    }
  });
  return { idp, ...local };
};

export interface Step {
  url: string;
  status: number;
  location: string | null;
  cookies: string[];
  body: string;
}

/**
 * A browser's part, as far as the protocol goes: cookies kept per host (Gatehouse on
 * localhost, the provider on 127.0.0.1), redirects followed by hand so a test can stop at
 * any hop and replay or change one.
 */
export const browser = () => {
  const jar = new Map<string, Map<string, string>>();
  const jarOf = (url: URL) => {
    let cookies = jar.get(url.host);
    if (!cookies) {
      cookies = new Map();
      jar.set(url.host, cookies);
    }
    return cookies;
  };
  const send = async (target: string, form?: Record<string, string>): Promise<Step> => {
    const url = new URL(target);
    const cookies = jarOf(url);
    const headers: Record<string, string> = cookies.size
      ? { cookie: [...cookies].map(([name, value]) => `${name}=${value}`).join('; ') }
      : {};
    if (form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      headers.origin = url.origin;
    }
    const response = await fetch(url, {
      redirect: 'manual',
      headers,
      ...(form ? { method: 'POST', body: new URLSearchParams(form).toString() } : {}),
    });
    const set = response.headers.getSetCookie();
    for (const line of set) {
      const [pair = ''] = line.split(';');
      const at = pair.indexOf('=');
      const name = pair.slice(0, at).trim();
      const value = pair.slice(at + 1).trim();
      if (/max-age=0\b/i.test(line) || value === '') cookies.delete(name);
      else cookies.set(name, value);
    }
    const location = response.headers.get('location');
    return {
      url: url.toString(),
      status: response.status,
      location: location === null ? null : new URL(location, url).toString(),
      cookies: set,
      body: await response.text(),
    };
  };
  /** Follows redirects from `target` until `stop(url)` says so or a non-redirect answers. */
  const get = (target: string) => send(target);
  const follow = async (target: string, stop: (url: URL) => boolean): Promise<Step> => {
    let step = await get(target);
    for (let hops = 0; hops < 20; hops++) {
      if (step.status < 300 || step.status >= 400 || !step.location) return step;
      if (stop(new URL(step.location))) return step;
      step = await get(step.location);
    }
    throw new Error(`too many redirects from ${target}`);
  };
  return {
    get,
    /** A form POST, from a page of the same origin. */
    post: (target: string, form: Record<string, string>) => send(target, form),
    follow,
    cookie: (host: string, name: string) => jar.get(host)?.get(name),
    setCookie: (host: string, name: string, value: string) =>
      jarOf(new URL(`http://${host}`)).set(name, value),
    dropCookie: (host: string, name: string) => jar.get(host)?.delete(name),
  };
};

export type Browser = ReturnType<typeof browser>;

/**
 * Starts a federated sign-in at Gatehouse and lets the provider sign its current user in:
 * answers the provider's redirect back (the callback URL, not yet visited) and the browser.
 */
export const toCallback = async (
  base: string,
  providerId: string,
  query = 'return_to=%2Flanding',
  using = browser(),
) => {
  const isCallback = (url: URL) => url.pathname === `/auth/federated/${providerId}/callback`;
  const step = await using.follow(`${base}/auth/federated/${providerId}?${query}`, isCallback);
  if (!step.location || !isCallback(new URL(step.location))) {
    throw new Error(`the flow did not come back: ${step.status} ${step.url} ${step.body}`);
  }
  return { callback: step.location, browser: using };
};
