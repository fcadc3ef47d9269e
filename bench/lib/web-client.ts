/** What a call answered: status, Location, and the body (parsed when JSON). */
export interface Answer {
  status: number;
  location: string | null;
  text: string;
  body: Record<string, unknown>;
}

export interface CallOptions {
  json?: unknown;
  form?: Record<string, string>;
  bearer?: string;
  headers?: Record<string, string>;
  /** The status the call must answer; anything else fails the bench. */
  expect?: number;
}

/**
 * A client of the local API, over HTTP as any caller: JSON or form bodies, a bearer, and a
 * cookie jar with redirects left to the caller (a browser's hosted sign-in and SSO legs).
 */
export const webClient = (base: string) => {
  const jar = new Map<string, string>();
  const call = async (method: string, path: string, options: CallOptions = {}): Promise<Answer> => {
    const headers: Record<string, string> = { ...options.headers };
    if (jar.size) headers.cookie = [...jar].map(([name, value]) => `${name}=${value}`).join('; ');
    if (options.bearer) headers.authorization = `Bearer ${options.bearer}`;
    let body: string | undefined;
    if (options.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.json);
    } else if (options.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      headers.origin = base;
      body = new URLSearchParams(options.form).toString();
    }
    const response = await fetch(new URL(path, base), {
      method,
      headers,
      redirect: 'manual',
      ...(body === undefined ? {} : { body }),
    });
    for (const cookie of response.headers.getSetCookie()) {
      const [pair = ''] = cookie.split(';');
      const at = pair.indexOf('=');
      const value = pair.slice(at + 1);
      if (/max-age=0/i.test(cookie) || value === '') jar.delete(pair.slice(0, at));
      else jar.set(pair.slice(0, at), value);
    }
    const text = await response.text();
    const type = response.headers.get('content-type') ?? '';
    const answer = {
      status: response.status,
      location: response.headers.get('location'),
      text,
      body: type.includes('json') ? (JSON.parse(text) as Record<string, unknown>) : {},
    };
    const expected = options.expect ?? 200;
    if (answer.status !== expected) {
      throw new Error(`${method} ${path} answered ${answer.status} (not ${expected}): ${text}`);
    }
    return answer;
  };
  /** A hidden field's value on a page (`csrf`). */
  const hidden = (page: string, name: string) =>
    new RegExp(`name="${name}" value="([^"]*)"`).exec(page)?.[1]?.replaceAll('&amp;', '&') ?? '';
  /** A string field of a JSON answer; its absence fails the bench. */
  const field = (answer: Answer, name: string): string => {
    const value = answer.body[name];
    if (typeof value !== 'string') throw new Error(`no ${name} in ${answer.text}`);
    return value;
  };
  return { call, hidden, field };
};

export type WebClient = ReturnType<typeof webClient>;
