import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { signInActions } from '../../src/http/actions/sign-in';
import { buildDeps } from '../../src/http/composition';
import { createHandler } from '../../src/http/handler';
import { tables } from '../../src/store/schema';
import { useLocalStack } from '../support/local-stack';
import { httpEvent } from '../support/pipeline';
import { totpCodeAt } from '../support/totp-codes';

/**
 * The metrics as CloudWatch would read them: the EMF lines the real handlers and authorizer
 * (the local stack's, on DynamoDB Local) write to stdout, parsed, per request.
 */
const OWNER = { email: 'owner@metrics.test', password: 'metrics owner passphrase' };
const PASSWORD = 'a member passphrase 1234';

const { call, signIn } = useLocalStack({
  DEFAULT_OWNER_EMAIL: OWNER.email,
  DEFAULT_OWNER_PASSWORD: OWNER.password,
  LOCKOUT_THRESHOLD: '3',
  RATE_LIMIT_PER_IP: '0',
  // As the stack sets it on every function (lib/observability.ts).
  POWERTOOLS_METRICS_NAMESPACE: 'Gatehouse',
});

interface Emf {
  _aws: {
    CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Unit: string }[] }[];
  };
  [field: string]: unknown;
}

/** The EMF documents written while `run` ran, and their counts summed by metric. */
const emitted = async (run: () => Promise<unknown>) => {
  const documents: Emf[] = [];
  const write = process.stdout.write.bind(process.stdout);
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk, ...rest) => {
    const text = String(chunk);
    if (!text.includes('"_aws"')) return write(chunk as string, ...(rest as []));
    for (const line of text.split('\n').filter(Boolean)) documents.push(JSON.parse(line));
    return true;
  });
  await run();
  vi.restoreAllMocks();
  const counts: Record<string, number> = {};
  for (const document of documents) {
    const [directive] = document._aws.CloudWatchMetrics;
    expect(directive?.Namespace).toBe('Gatehouse');
    // One small dimension: the service, the same value everywhere.
    expect(directive?.Dimensions).toEqual([['service']]);
    expect(document.service).toBe('gatehouse');
    for (const metric of directive?.Metrics ?? []) {
      const { Name, Unit } = metric as { Name: string; Unit: string };
      expect(Unit).toBe('Count');
      const value = document[Name] as number | number[];
      counts[Name] = (counts[Name] ?? 0) + [value].flat().reduce((a, b) => a + b, 0);
    }
  }
  return { documents, counts };
};

const attempt = (login: string, password: string) =>
  call('POST', '/auth/sign-in', { json: { login, password } });

let ownerToken: string;
const newMember = async () => {
  const email = `m-${randomUUID().slice(0, 8)}@metrics.test`;
  const made = await call('POST', '/users', {
    token: ownerToken,
    json: { email, role: 'viewer', password: PASSWORD },
  });
  expect(made.status, made.text).toBe(201);
  return email;
};

beforeAll(async () => {
  ownerToken = await signIn(OWNER.email, OWNER.password);
});
afterEach(() => vi.restoreAllMocks());

describe('EMF metrics from the real handlers on DynamoDB Local', () => {
  it('counts a sign-in, in one EMF line for the invocation', async () => {
    const email = await newMember();
    const { documents, counts } = await emitted(async () => {
      expect((await attempt(email, PASSWORD)).status).toBe(200);
    });
    expect(documents).toHaveLength(1);
    expect(counts).toEqual({ SignIns: 1 });
  });

  it('counts a failed sign-in, and a lockout when the account is locked', async () => {
    const email = await newMember();
    const failed = await emitted(async () => {
      expect((await attempt(email, 'not the password')).status).toBe(401);
    });
    expect(failed.counts).toEqual({ SignInFailures: 1 });
    await attempt(email, 'not the password either');
    await attempt(email, 'nor this one');
    const locked = await emitted(async () => {
      expect((await attempt(email, PASSWORD)).status).toBe(429);
    });
    expect(locked.counts).toEqual({ SignInFailures: 1, Lockouts: 1 });
  });

  it('counts a second factor asked, a wrong code, and the sign-in it then completes', async () => {
    const email = await newMember();
    const token = await signIn(email, PASSWORD);
    const started = await call('POST', '/me/mfa/totp', { token, json: {} });
    expect(started.status, started.text).toBe(201);
    const { factor_id, secret } = started.body as { factor_id: string; secret: string };
    const confirmed = await call('POST', `/me/mfa/totp/${factor_id}/confirm`, {
      token,
      json: { code: totpCodeAt(secret, Date.now()) },
    });
    expect(confirmed.status, confirmed.text).toBe(200);
    let mfaToken = '';
    const asked = await emitted(async () => {
      const reply = await attempt(email, PASSWORD);
      expect(reply.status).toBe(403);
      mfaToken = reply.body.mfa_token;
    });
    expect(asked.counts).toEqual({ MfaChallenges: 1 });
    const wrong = await emitted(async () => {
      const reply = await call('POST', '/auth/mfa/verify', {
        json: {
          mfa_token: mfaToken,
          code: '000000' === totpCodeAt(secret, Date.now()) ? '111111' : '000000',
        },
      });
      expect(reply.status).toBe(401);
    });
    expect(wrong.counts).toEqual({ MfaFailures: 1 });
    const right = await emitted(async () => {
      const reply = await call('POST', '/auth/mfa/verify', {
        json: { mfa_token: mfaToken, code: totpCodeAt(secret, Date.now() + 30_000) },
      });
      expect(reply.status, reply.text).toBe(200);
    });
    expect(right.counts).toEqual({ SignIns: 1 });
  });

  it('counts the authorizer allowing a token and denying a forged one', async () => {
    const allowed = await emitted(async () => {
      expect((await call('GET', '/me', { token: ownerToken })).status).toBe(200);
    });
    expect(allowed.counts).toEqual({ AuthorizerAllow: 1 });
    const denied = await emitted(async () => {
      const reply = await call('GET', '/me', { token: `${ownerToken.slice(0, -4)}AAAA` });
      expect(reply.status).toBeGreaterThanOrEqual(401);
    });
    expect(denied.counts).toEqual({ AuthorizerDeny: 1 });
  });

  it('counts a 5xx by the final status: a sign-in against a table that is not there', async () => {
    const deps = buildDeps({ ...process.env, [tables.users.envVar]: `missing-${randomUUID()}` });
    const handler = createHandler('signIn', signInActions, { deps: () => deps });
    const { documents, counts } = await emitted(async () => {
      const result = await handler(
        httpEvent('POST /auth/sign-in', {
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ login: 'anyone@metrics.test', password: PASSWORD }),
        }),
        {} as Context,
      );
      expect(result.statusCode).toBe(500);
    });
    expect(documents).toHaveLength(1);
    expect(counts).toEqual({ Http5xx: 1 });
  });

  it('writes no EMF line for a request that counted nothing', async () => {
    const { documents } = await emitted(async () => {
      expect((await call('GET', '/.well-known/jwks.json')).status).toBe(200);
    });
    expect(documents).toEqual([]);
  });
});
