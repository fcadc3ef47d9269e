/**
 * Issue 17, faults (API.md, Errors, 503): `/oauth/authorize` redirects
 * `temporarily_unavailable` to the client once its redirect URI is verified; before that, a
 * DynamoDB fault answers a 503 page (an unverified redirect URI is never followed). Swept
 * over every database call a healthy authorization makes.
 */
import { beforeAll, expect, it } from 'vitest';
import { startSession } from '../../../src/core/sessions/sessions';
import { useFaultStack } from '../../support/fault-stack';
import { createUserWithPassword, PASSWORD } from '../../support/users';

const stack = useFaultStack();
const { call, faults } = stack;
const REDIRECT = 'https://app.test/cb';
let query: string;
let cookies: string[];

beforeAll(async () => {
  const owner = await createUserWithPassword(stack.deps, { role: 'owner' });
  const signIn = await call('signIn', 'POST /auth/sign-in', {
    json: { login: owner.email, password: PASSWORD },
  });
  const token = (signIn.json() as { access_token: string }).access_token;
  const client = await call('oauth', 'POST /clients', {
    token,
    json: {
      name: 'App',
      confidential: false,
      grant_types: ['authorization_code'],
      redirect_uris: [REDIRECT],
    },
  });
  expect(client.status, client.body).toBe(201);
  const session = await startSession(stack.deps, owner, null, { browser: true, origin: 'self' });
  cookies = [`gatehouse_session=${session.browserSession}`];
  query = new URLSearchParams({
    client_id: (client.json() as { client_id: string }).client_id,
    redirect_uri: REDIRECT,
    response_type: 'code',
    code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    code_challenge_method: 'S256',
    state: 'st4te',
  }).toString();
});

const authorize = () =>
  call('pages', 'GET /oauth/authorize', {
    path: '/oauth/authorize',
    query,
    cookies,
    accept: 'text/html',
  });

it('a fault before the redirect URI is verified is a 503 page; after, a redirect to the client', async () => {
  faults.countFromNow();
  const healthy = await authorize();
  expect([302, 303], healthy.body).toContain(healthy.status);
  const calls = faults.calls();
  const seen = new Set<string>();
  for (let n = 1; n <= calls; n++) {
    faults.fail('throttle', n);
    const reply = await authorize();
    faults.heal();
    if (reply.status === 503) {
      expect(Number(reply.headers['retry-after'])).toBeGreaterThan(0);
      seen.add('page');
      continue;
    }
    expect(reply.status, `fault from call ${n}: ${reply.body}`).toBe(302);
    const location = new URL(reply.headers.location ?? '');
    expect(`${location.origin}${location.pathname}`).toBe(REDIRECT);
    expect(location.searchParams.get('error')).toBe('temporarily_unavailable');
    expect(location.searchParams.get('state')).toBe('st4te');
    seen.add('redirect');
  }
  expect([...seen].sort()).toEqual(['page', 'redirect']);
});
