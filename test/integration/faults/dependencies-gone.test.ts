/**
 * Issue 17, faults, at the network: a DynamoDB that is gone (a closed port) or frozen (a
 * listener that never answers: the per-attempt timeouts and the deadline, not a middleware,
 * end the wait); a mail outage (routes keep their answer: mail is queued); and a secret read
 * failing at cold start (503, then the next request succeeds once Secrets Manager answers).
 */
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SecretsLocal, startSecretsLocal } from '../../../dev/secrets-local';
import { accountActions } from '../../../src/http/actions/account';
import { signInActions } from '../../../src/http/actions/sign-in';
import { buildDeps, loadSecretSettings } from '../../../src/http/composition';
import { createHandler } from '../../../src/http/handler';
import type { HttpResult } from '../../../src/http/responses';
import { AWS_BUDGET } from '../../../src/store/aws-client-budget';
import { createDocumentClient, createDynamoClient } from '../../../src/store/dynamo-client';
import { tableNamesFromEnv } from '../../../src/store/dynamo-settings';
import { createDynamoStore } from '../../../src/store/dynamo-store';
import { useFaultStack } from '../../support/fault-stack';
import { closedPort, faultyProxy } from '../../support/faults';
import { httpEvent } from '../../support/pipeline';
import { createUserWithPassword, PASSWORD } from '../../support/users';

const stack = useFaultStack();

const post = async (
  handler: (event: never, context: Context) => Promise<HttpResult>,
  routeKey: string,
  json: unknown,
) => {
  const started = performance.now();
  const result = await handler(
    httpEvent(routeKey, {
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(json),
    }) as never,
    {} as Context,
  );
  const headers = Object.fromEntries(
    Object.entries(result.headers ?? {}).map(([k, v]) => [k.toLowerCase(), String(v)]),
  );
  return { ...result, headers, elapsed: performance.now() - started };
};

/** Sign-in over a store whose DynamoDB is at `endpoint`, with AWS's fault budget. */
const signInAt = (endpoint: string) => {
  const client = createDynamoClient({ endpoint }, AWS_BUDGET);
  const store = createDynamoStore(createDocumentClient(client), tableNamesFromEnv(stack.env));
  const deps = buildDeps(stack.env, store);
  return createHandler('signIn', signInActions, { deps: () => deps });
};

describe('DynamoDB out of reach at the network', () => {
  let frozen: Awaited<ReturnType<typeof faultyProxy>>;
  beforeAll(async () => {
    frozen = await faultyProxy('http://127.0.0.1:9');
    frozen.set('hang');
  });
  afterAll(() => frozen.close());

  it.each([
    ['gone (connection refused)', () => closedPort()],
    ['frozen (accepts, never answers)', async () => frozen.endpoint],
  ])('%s: sign-in answers 503 unavailable with Retry-After within 3 s', async (_, where) => {
    const reply = await post(signInAt(await where()), 'POST /auth/sign-in', {
      login: 'anyone@faults.test',
      password: PASSWORD,
    });
    expect(reply.statusCode, String(reply.body)).toBe(503);
    expect(JSON.parse(String(reply.body))).toMatchObject({ error: { code: 'unavailable' } });
    expect(Number(reply.headers['retry-after'])).toBeGreaterThan(0);
    expect(reply.elapsed).toBeLessThan(3000);
  });
});

describe('a mail outage', () => {
  it('forgot-password keeps its answer when the mail queue (Lambda) is unreachable', async () => {
    const user = await createUserWithPassword(stack.deps);
    const healthy = createHandler('account', accountActions, { deps: () => stack.deps });
    const lambdaGone = await closedPort();
    const saved = process.env.AWS_ENDPOINT_URL_LAMBDA;
    process.env.AWS_ENDPOINT_URL_LAMBDA = lambdaGone;
    try {
      const deps = buildDeps(
        { ...stack.env, MAILER_FUNCTION_NAME: 'gatehouse-mailer', AWS_REGION: 'local' },
        stack.healthyStore,
      );
      const outage = createHandler('account', accountActions, { deps: () => deps });
      const expected = await post(healthy, 'POST /auth/password/forgot', { email: user.email });
      const reply = await post(outage, 'POST /auth/password/forgot', { email: user.email });
      expect(expected.statusCode).toBeLessThan(300);
      expect(reply.statusCode, String(reply.body)).toBe(expected.statusCode);
      expect(reply.body).toEqual(expected.body);
    } finally {
      if (saved === undefined) delete process.env.AWS_ENDPOINT_URL_LAMBDA;
      else process.env.AWS_ENDPOINT_URL_LAMBDA = saved;
    }
  });
});

describe('a secret read failing at cold start', () => {
  let secrets: SecretsLocal;
  let link: Awaited<ReturnType<typeof faultyProxy>>;
  const saved = { ...process.env };
  beforeAll(async () => {
    secrets = await startSecretsLocal();
    link = await faultyProxy(secrets.url);
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_SECRETS_MANAGER: link.endpoint,
      AWS_REGION: 'local',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
    });
  });
  afterAll(async () => {
    process.env = saved;
    await link.close();
    await secrets.stop();
  });

  it('answers 503 with Retry-After, then serves the next request once the secret is readable', async () => {
    const env: Record<string, string | undefined> = {
      IDENTITY_PROVIDERS_SECRET_ARN: secrets.create('providers', '[]'),
    };
    const handler = createHandler('signIn', signInActions, {
      deps: () => stack.deps,
      loadSettings: () => loadSecretSettings(env),
    });
    const attempt = () =>
      post(handler, 'POST /auth/sign-in', { login: 'nobody@faults.test', password: PASSWORD });
    link.set('refuse');
    const first = await attempt();
    expect(first.statusCode, String(first.body)).toBe(503);
    expect(Number(first.headers['retry-after'])).toBeGreaterThan(0);
    expect(first.elapsed).toBeLessThan(3000);
    expect(env.IDENTITY_PROVIDERS).toBeUndefined();
    link.set('pass');
    const second = await attempt();
    // Past the settings: the route's own answer (an unknown login).
    expect(second.statusCode, String(second.body)).toBe(401);
    expect(env.IDENTITY_PROVIDERS).toBe('[]');
  });
});
