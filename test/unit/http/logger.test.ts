import type { Context } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { signInActions } from '../../../src/http/actions/sign-in';
import { createHandler } from '../../../src/http/handler';
import { logger } from '../../../src/http/logger';
import { testDeps } from '../../support/core-deps';
import { httpEvent } from '../../support/pipeline';

const SECRETS = {
  password: 'hunter2 is my password',
  bearer: 'Bearer eyJsecret.access.token',
  cookie: 'gh_session=session-secret-value',
  mfaCode: '493817',
  apiKey: 'api-key-secret-value',
};

const context = (awsRequestId: string) =>
  ({ functionName: 'gatehouse-SignIn', awsRequestId }) as unknown as Context;

/** A sign-in request carrying every kind of secret, in its body, headers and cookies. */
const secretRequest = (headers: Record<string, string> = {}) =>
  httpEvent('POST /auth/sign-in', {
    headers: {
      'content-type': 'application/json',
      authorization: SECRETS.bearer,
      cookie: SECRETS.cookie,
      'x-api-key': SECRETS.apiKey,
      ...headers,
    },
    cookies: [SECRETS.cookie],
    body: JSON.stringify({ login: 'nobody@example.com', password: SECRETS.password }),
  });

let lines: Record<string, unknown>[];
const level = logger.level;
beforeEach(() => {
  lines = [];
  logger.level = 'debug';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
    return true;
  });
});
afterEach(() => {
  logger.level = level;
  vi.restoreAllMocks();
});

const expectNoSecret = () => {
  const written = JSON.stringify(lines);
  for (const secret of Object.values(SECRETS)) expect(written).not.toContain(secret);
  expect(written).not.toContain('eyJsecret');
};

describe('logger', () => {
  it("writes Powertools' shape: level, message, timestamp, service, and the invocation's fields", async () => {
    const handler = createHandler('signIn', signInActions, { deps: () => testDeps() });
    await handler(secretRequest({ 'x-correlation-id': 'checkout-42.a:b' }), context('lambda-1'));
    await handler(secretRequest(), context('lambda-2'));
    expect(lines).toHaveLength(2);
    const [first, second] = lines;
    expect(first).toMatchObject({
      level: 'INFO',
      service: 'gatehouse',
      function_name: 'gatehouse-SignIn',
      function_request_id: 'lambda-1',
      cold_start: true,
      api_request_id: 'r1',
      correlation_id: 'checkout-42.a:b',
      route: 'POST /auth/sign-in',
      status: 401,
    });
    expect(Date.parse(String(first?.timestamp))).not.toBeNaN();
    // Warm now; with no id of the caller's, the gateway's names the request.
    expect(second).toMatchObject({ cold_start: false, function_request_id: 'lambda-2' });
    expect(second?.correlation_id).toBe('r1');
    expectNoSecret();
  });

  it("takes the caller's correlation id only when short and plain", async () => {
    const handler = createHandler('signIn', signInActions, { deps: () => testDeps() });
    for (const id of ['x'.repeat(129), 'forged"} {"level":"ERROR', 'a b', '']) {
      await handler(secretRequest({ 'x-correlation-id': id }), context('l'));
    }
    await handler(secretRequest({ 'x-request-id': 'req-7' }), context('l'));
    expect(lines.map((line) => line.correlation_id)).toEqual(['r1', 'r1', 'r1', 'r1', 'req-7']);
  });

  it('keeps secrets out of the lines of a request that fails unexpectedly', async () => {
    const deps = testDeps();
    deps.store.findLogin = async () => {
      throw new Error('store unreachable');
    };
    const handler = createHandler('signIn', signInActions, { deps: () => deps });
    const result = await handler(secretRequest(), context('l'));
    expect(result.statusCode).toBe(500);
    expect(lines.map((line) => line.level)).toEqual(['ERROR', 'INFO']);
    expect(lines[0]?.message).toBe('unhandled error');
    expectNoSecret();
  });

  it('keeps secrets out of the lines of an MFA sign-in, its code included', async () => {
    const handler = createHandler('signIn', signInActions, { deps: () => testDeps() });
    await handler(
      httpEvent('POST /auth/mfa/verify', {
        headers: { 'content-type': 'application/json', cookie: SECRETS.cookie },
        body: JSON.stringify({ mfa_token: 'mfa-token-secret', code: SECRETS.mfaCode }),
      }),
      context('l'),
    );
    expect(lines).toHaveLength(1);
    expect(JSON.stringify(lines)).not.toContain('mfa-token-secret');
    expectNoSecret();
  });

  it('redacts a whole event or body logged by mistake, at any depth it is likely to sit', () => {
    const event = secretRequest();
    logger.info({ event }, 'an event logged by mistake');
    logger.info({ request: { body: { password: SECRETS.password, code: SECRETS.mfaCode } } });
    logger.info({ ...JSON.parse(event.body ?? '{}'), headers: event.headers });
    expect(lines).toHaveLength(3);
    expectNoSecret();
  });
});
