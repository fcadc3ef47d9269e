/**
 * Issue 17, faults (API.md, Errors, 503): when DynamoDB is throttled, frozen or gone, every
 * route answers 503 `unavailable` (OAuth: `temporarily_unavailable`) with `Retry-After`,
 * within 3 s, never 500 and never a hang, and writes nothing. Faults go into the REAL SDK
 * client through its middleware stack, so the SDK's retries and Gatehouse's fault budget
 * (src/store/aws-client-budget.ts) are what is tested; the tables are DynamoDB Local's.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { type Reply, useFaultStack } from '../../support/fault-stack';
import type { FaultKind } from '../../support/faults';
import { createUserWithPassword, PASSWORD } from '../../support/users';

const stack = useFaultStack();
const { call, faults } = stack;

/** The contract's bound: a failed dependency is answered within 3 s. */
const CONTRACT_MS = 3000;

let owner: { email: string };
let tokens: { access_token: string; refresh_token: string };

const signIn = async () => {
  const reply = await call('signIn', 'POST /auth/sign-in', {
    json: { login: owner.email, password: PASSWORD },
  });
  expect(reply.status, reply.body).toBe(200);
  return reply.json() as typeof tokens;
};

beforeAll(async () => {
  owner = await createUserWithPassword(stack.deps, { role: 'owner' });
  tokens = await signIn();
});

const expectUnavailable = (reply: Reply) => {
  expect(reply.status, reply.body).toBe(503);
  expect(reply.json()).toMatchObject({ error: { code: 'unavailable' } });
  expect(Number(reply.headers['retry-after'])).toBeGreaterThan(0);
  expect(reply.elapsed).toBeLessThan(CONTRACT_MS);
};

/** Runs `request` with every database call failing as `kind`, and checks nothing changed. */
const whileDown = async (kind: FaultKind, request: () => Promise<Reply>) => {
  const before = await stack.snapshot();
  faults.fail(kind);
  try {
    const reply = await request();
    expect(faults.calls()).toBeGreaterThan(0);
    return reply;
  } finally {
    faults.heal();
    expect(await stack.snapshot()).toEqual(before);
  }
};

const routes: [string, () => Promise<Reply>][] = [
  [
    'sign-in',
    () =>
      call('signIn', 'POST /auth/sign-in', { json: { login: owner.email, password: PASSWORD } }),
  ],
  [
    'refresh',
    () => call('token', 'POST /auth/refresh', { json: { refresh_token: tokens.refresh_token } }),
  ],
  ['GET /me', () => call('account', 'GET /me', { token: tokens.access_token })],
  [
    'user create',
    () =>
      call('users', 'POST /users', {
        token: tokens.access_token,
        json: { email: `new-${Date.now()}@faults.test`, role: 'viewer', type: 'human' },
      }),
  ],
  [
    'API token create',
    () => call('apiTokens', 'POST /tokens', { token: tokens.access_token, json: { name: 'ci' } }),
  ],
];

describe.each<FaultKind>(['throttle', 'refuse', 'hang'])('DynamoDB %s', (kind) => {
  it.each(routes)(
    '%s answers 503 unavailable with Retry-After, in time, writing nothing',
    async (_, request) => {
      expectUnavailable(await whileDown(kind, request));
    },
  );

  it('an OAuth token grant answers temporarily_unavailable with Retry-After', async () => {
    const reply = await whileDown(kind, () =>
      call('oauth', 'POST /oauth/token', {
        form: { grant_type: 'refresh_token', refresh_token: tokens.refresh_token },
      }),
    );
    expect(reply.status, reply.body).toBe(503);
    expect(reply.json()).toMatchObject({ error: 'temporarily_unavailable' });
    expect(Number(reply.headers['retry-after'])).toBeGreaterThan(0);
    expect(reply.elapsed).toBeLessThan(CONTRACT_MS);
  });

  it('a page answers a 503 page with Retry-After', async () => {
    const reply = await whileDown(kind, () =>
      call('pages', 'GET /oauth/authorize', {
        path: '/oauth/authorize',
        query: 'client_id=some-app&redirect_uri=https%3A%2F%2Fapp.test%2Fcb&response_type=code',
        accept: 'text/html',
      }),
    );
    expect(reply.status, reply.body).toBe(503);
    expect(reply.headers['content-type']).toMatch(/text\/html/);
    expect(Number(reply.headers['retry-after'])).toBeGreaterThan(0);
    expect(reply.elapsed).toBeLessThan(CONTRACT_MS);
  });
});

it('the same routes work again once DynamoDB is back', async () => {
  faults.heal();
  const fresh = await signIn();
  const me = await call('account', 'GET /me', { token: fresh.access_token });
  expect(me.status, me.body).toBe(200);
});
