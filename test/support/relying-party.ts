import { expect } from 'vitest';
import type { browserFlow } from './browser-flow';
import type { httpClient } from './http-client';

export type Browser = ReturnType<typeof browserFlow>;

/**
 * A person at a browser that an app sent to `authorizationUrl`: it follows the redirects,
 * signs in on the hosted page when it lands there, and stops on the app's `redirectUri`,
 * answering that URL (the callback the app's library reads).
 */
export const signInAndLand = async (
  browser: Browser,
  authorizationUrl: URL | string,
  redirectUri: string,
  person: { login: string; password: string },
): Promise<URL> => {
  let next = authorizationUrl.toString();
  for (let hop = 0; hop < 8; hop++) {
    if (next.startsWith(redirectUri)) return new URL(next);
    const answer = await browser.request('GET', next);
    if (answer.status === 200 && new URL(next, 'http://x').pathname === '/sign-in') {
      const done = await browser.request('POST', '/sign-in', {
        csrf: browser.hidden(answer.text, 'csrf'),
        return_to: browser.hidden(answer.text, 'return_to'),
        login: person.login,
        password: person.password,
      });
      expect(done.status, done.text).toBe(303);
      next = done.location as string;
      continue;
    }
    expect([302, 303], `${next}: ${answer.text}`).toContain(answer.status);
    next = answer.location as string;
  }
  throw new Error(`never reached ${redirectUri}`);
};

/** Whether the browser still holds a hosted session (the console answers it). */
export const isSignedIn = async (browser: Browser) =>
  (await browser.request('GET', '/console')).status === 200;

/** A viewer with a name and a username, created by the owner, to sign in as. */
export const createPerson = async (
  call: ReturnType<typeof httpClient>['call'],
  ownerToken: string,
  handle: string,
) => {
  const person = { login: `${handle}@rp.test`, password: `${handle} relying party passphrase` };
  const created = await call('POST', '/users', {
    token: ownerToken,
    json: {
      email: person.login,
      username: handle,
      name: `Person ${handle}`,
      role: 'viewer',
      password: person.password,
    },
  });
  expect(created.status, created.text).toBe(201);
  return { ...person, user: created.body.user as { id: string; name: string; username: string } };
};
