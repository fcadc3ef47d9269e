/** A small JSON client for end-to-end tests against the local server. */
export interface Reply {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: tests read whatever the contract answers
  body: any;
  text: string;
}

export const httpClient = (base: () => string) => {
  const call = async (
    method: string,
    path: string,
    options: {
      json?: unknown;
      body?: string;
      headers?: Record<string, string>;
      token?: string;
    } = {},
  ): Promise<Reply> => {
    const headers: Record<string, string> = { ...options.headers };
    if (options.json !== undefined) headers['content-type'] ??= 'application/json';
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    const response = await fetch(`${base()}${path}`, {
      method,
      headers,
      body: options.body ?? (options.json === undefined ? undefined : JSON.stringify(options.json)),
    });
    const text = await response.text();
    return {
      status: response.status,
      headers: response.headers,
      body: text ? JSON.parse(text) : null,
      text,
    };
  };
  const signIn = async (login: string, password: string): Promise<string> => {
    const reply = await call('POST', '/auth/sign-in', { json: { login, password } });
    if (reply.status !== 200) throw new Error(`sign-in as ${login}: ${reply.status} ${reply.text}`);
    return reply.body.access_token;
  };
  return { call, signIn };
};
