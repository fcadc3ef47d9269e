import { decodeJwt } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { browserFlow } from '../support/browser-flow';
import { mintIdToken } from '../support/id-token-hint';
import { useLocalStack } from '../support/local-stack';
import { firstPartyApp } from '../support/oauth';

/**
 * OpenID RP-Initiated Logout 1.0 on the local stack: a verified id_token_hint ends the browser
 * session and goes back to the registered post_logout_redirect_uri with the state; without one
 * a CSRF-checked confirmation comes first; an unregistered redirect gets a page, never a
 * redirect; a hint that is not ours, or another client's, changes nothing.
 */
const OWNER = { email: 'owner@logout.test', password: 'logout owner passphrase 1' };
const CB = 'https://rp.logout.test/cb';
const BYE = 'https://rp.logout.test/signed-out';
const OTHER_BYE = 'https://other.logout.test/bye';

const { stack, call, signIn, registerClient, tokenEndpoint } = useLocalStack({
  DEFAULT_OWNER_EMAIL: OWNER.email,
  DEFAULT_OWNER_PASSWORD: OWNER.password,
});
let rp: string;
let other: string;
let ownerId: string;

beforeAll(async () => {
  const owner = await signIn(OWNER.email, OWNER.password);
  ownerId = (await call('GET', '/me', { token: owner })).body.user.id;
  const registered = await registerClient(owner, {
    ...firstPartyApp('RP', CB),
    post_logout_redirect_uris: [BYE],
  });
  rp = registered.client_id;
  expect((registered as unknown as Record<string, unknown>).post_logout_redirect_uris).toEqual([
    BYE,
  ]);
  other = (
    await registerClient(owner, {
      ...firstPartyApp('Other', 'https://other.logout.test/cb'),
      post_logout_redirect_uris: [OTHER_BYE],
    })
  ).client_id;
});

/** The auth_time of the last browser's sign-in: a hint of that sign-in carries it. */
let authTime = 0;

const hintFor = (aud: string, extra: { exp?: number; sub?: string } = {}, foreignKey = false) =>
  mintIdToken(
    { iss: stack().url, sub: extra.sub ?? ownerId, aud, exp: extra.exp, auth_time: authTime },
    { foreignKey },
  );

/** The RP's code flow in this browser: the ID token it is given. */
const idTokenIn = async (flow: ReturnType<typeof browserFlow>) => {
  const { verifier, authorized } = await flow.authorize({
    client_id: rp,
    redirect_uri: CB,
    scope: 'openid',
    state: 'in',
  });
  const code = new URL(authorized.location as string).searchParams.get('code') as string;
  const tokens = await tokenEndpoint({
    grant_type: 'authorization_code',
    code,
    redirect_uri: CB,
    client_id: rp,
    code_verifier: verifier,
  });
  expect(tokens.status, tokens.text).toBe(200);
  return tokens.body.id_token as string;
};

/** A browser signed in on the hosted pages (and `authTime` its sign-in's). */
const signedInBrowser = async () => {
  const flow = browserFlow(() => stack().url);
  await flow.signIn(OWNER.email, OWNER.password);
  expect((await flow.request('GET', '/console')).status).toBe(200);
  authTime = decodeJwt(await idTokenIn(flow)).auth_time as number;
  return flow;
};

const isSignedIn = async (flow: ReturnType<typeof browserFlow>) =>
  (await flow.request('GET', '/console')).status === 200;

const logoutQuery = (params: Record<string, string>) =>
  `/oauth/logout?${new URLSearchParams(params).toString()}`;

describe('RP-initiated logout', () => {
  it('a valid hint: the session ends and the browser goes back with the state', async () => {
    const flow = await signedInBrowser();
    const answer = await flow.request(
      'GET',
      logoutQuery({
        id_token_hint: await idTokenIn(flow),
        client_id: rp,
        post_logout_redirect_uri: BYE,
        state: 'st-bye',
      }),
    );
    expect(answer.status).toBe(302);
    const landed = new URL(answer.location as string);
    expect(landed.origin + landed.pathname).toBe(BYE);
    expect(landed.searchParams.get('state')).toBe('st-bye');
    expect(await isSignedIn(flow)).toBe(false);
  });

  it('the RP posting the form (no CSRF token of ours) with an expired hint works too', async () => {
    const flow = await signedInBrowser();
    const expired = await hintFor(rp, { exp: Math.floor(Date.now() / 1000) - 3600 });
    const answer = await fetch(`${stack().url}/oauth/logout`, {
      method: 'POST',
      redirect: 'manual',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        origin: 'https://rp.logout.test',
        cookie: flow.cookieHeader(),
      },
      body: new URLSearchParams({
        id_token_hint: expired,
        post_logout_redirect_uri: BYE,
        state: 'st-post',
      }).toString(),
    });
    expect(answer.status).toBe(303);
    expect(answer.headers.get('location')).toBe(`${BYE}?state=st-post`);
    expect(await isSignedIn(flow)).toBe(false);
  });

  it('a cross-site POST without the Lax session cookie becomes the same top-level GET', async () => {
    const flow = await signedInBrowser();
    const hint = await hintFor(rp);
    const posted = await fetch(`${stack().url}/oauth/logout`, {
      method: 'POST',
      redirect: 'manual',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        origin: 'https://rp.logout.test',
      },
      body: new URLSearchParams({
        id_token_hint: hint,
        post_logout_redirect_uri: BYE,
        state: 'st-lax',
        junk: 'dropped',
      }).toString(),
    });
    expect(posted.status).toBe(303);
    const again = posted.headers.get('location') as string;
    expect(again).toMatch(/^\/oauth\/logout\?/);
    expect(again).not.toContain('junk');
    const answer = await flow.request('GET', again);
    expect(answer.location).toBe(`${BYE}?state=st-lax`);
    expect(await isSignedIn(flow)).toBe(false);
  });

  it('without a hint: a confirmation page first, then the same', async () => {
    const flow = await signedInBrowser();
    const page = await flow.request(
      'GET',
      logoutQuery({ client_id: rp, post_logout_redirect_uri: BYE, state: 'st-ask' }),
    );
    expect(page.status).toBe(200);
    expect(page.text).toContain('Sign out?');
    expect(page.text).toContain('RP');
    expect(await isSignedIn(flow)).toBe(true);
    // The confirmation's POST is a page form: without the CSRF token it is refused.
    const forged = await flow.request('POST', '/oauth/logout/confirm', {
      client_id: rp,
      post_logout_redirect_uri: BYE,
    });
    expect(forged.status).toBe(403);
    expect(await isSignedIn(flow)).toBe(true);
    const confirmed = await flow.request('POST', '/oauth/logout/confirm', {
      csrf: flow.hidden(page.text, 'csrf'),
      client_id: flow.hidden(page.text, 'client_id'),
      post_logout_redirect_uri: flow.hidden(page.text, 'post_logout_redirect_uri'),
      state: flow.hidden(page.text, 'state'),
    });
    expect(confirmed.status).toBe(303);
    expect(confirmed.location).toBe(`${BYE}?state=st-ask`);
    expect(await isSignedIn(flow)).toBe(false);
  });

  it('an unregistered or mismatched redirect: a signed-out page, never a redirect', async () => {
    for (const uri of ['https://evil.logout.test/bye', `${BYE}/x`, `${BYE}?next=evil`, OTHER_BYE]) {
      const flow = await signedInBrowser();
      const answer = await flow.request(
        'GET',
        logoutQuery({ id_token_hint: await hintFor(rp), post_logout_redirect_uri: uri }),
      );
      expect(answer.status).toBe(200);
      expect(answer.location).toBeNull();
      expect(answer.text).toContain('You are signed out');
      expect(await isSignedIn(flow)).toBe(false);
    }
    // The confirmation's hidden fields edited to another URI: still no redirect.
    const flow = await signedInBrowser();
    const page = await flow.request('GET', logoutQuery({ client_id: rp }));
    const edited = await flow.request('POST', '/oauth/logout/confirm', {
      csrf: flow.hidden(page.text, 'csrf'),
      client_id: rp,
      post_logout_redirect_uri: 'https://evil.logout.test/bye',
    });
    expect(edited.status).toBe(200);
    expect(edited.location).toBeNull();
    expect(await isSignedIn(flow)).toBe(false);
  });

  it('a hint signed by another key, or an access token, is refused and ends nothing', async () => {
    const flow = await signedInBrowser();
    const accessToken = await signIn(OWNER.email, OWNER.password);
    for (const hint of [await hintFor(rp, {}, true), accessToken, 'not-a-jwt']) {
      const answer = await flow.request(
        'GET',
        logoutQuery({ id_token_hint: hint, post_logout_redirect_uri: BYE, state: 's' }),
      );
      expect(answer.status).toBe(400);
      expect(answer.location).toBeNull();
      expect(await isSignedIn(flow)).toBe(true);
    }
  });

  it("another client's hint with this client_id is refused and ends nothing", async () => {
    const flow = await signedInBrowser();
    const answer = await flow.request(
      'GET',
      logoutQuery({
        id_token_hint: await hintFor(other),
        client_id: rp,
        post_logout_redirect_uri: BYE,
      }),
    );
    expect(answer.status).toBe(400);
    expect(answer.location).toBeNull();
    expect(await isSignedIn(flow)).toBe(true);
  });

  it('an ID token of an earlier, ended sign-in asks first instead of ending the current one', async () => {
    const first = await signedInBrowser();
    const oldIdToken = await idTokenIn(first);
    const console1 = await first.request('GET', '/console');
    await first.request('POST', '/sign-out', { csrf: first.hidden(console1.text, 'csrf') });
    expect(await isSignedIn(first)).toBe(false);
    // A later sign-in (auth_time has one-second precision).
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const later = await signedInBrowser();
    const answer = await later.request(
      'GET',
      logoutQuery({ id_token_hint: oldIdToken, post_logout_redirect_uri: BYE }),
    );
    expect(answer.status).toBe(200);
    expect(answer.text).toContain('Sign out?');
    expect(await isSignedIn(later)).toBe(true);
  });

  it("another user's hint asks first instead of ending this session", async () => {
    const flow = await signedInBrowser();
    const answer = await flow.request(
      'GET',
      logoutQuery({ id_token_hint: await hintFor(rp, { sub: 'usr_someone_else' }) }),
    );
    expect(answer.status).toBe(200);
    expect(answer.text).toContain('Sign out?');
    expect(await isSignedIn(flow)).toBe(true);
  });

  it('post_logout_redirect_uris must be absolute https (or loopback http) URLs', async () => {
    const owner = await signIn(OWNER.email, OWNER.password);
    for (const uri of ['http://rp.logout.test/bye', '/bye', 'https://rp.logout.test/bye#x']) {
      const reply = await call('POST', '/clients', {
        token: owner,
        json: { ...firstPartyApp('Bad', CB), post_logout_redirect_uris: [uri] },
      });
      expect(reply.status, uri).toBe(400);
      expect(reply.body.error.code).toBe('record_invalid');
    }
    const listed = await call('GET', '/clients', { token: owner });
    const mine = listed.body.clients.find((c: { client_id: string }) => c.client_id === rp);
    expect(mine.post_logout_redirect_uris).toEqual([BYE]);
  });
});
