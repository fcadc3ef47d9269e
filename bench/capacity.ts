/**
 * DynamoDB capacity units, Lambda time and cost per operation: each operation runs over HTTP
 * against the local stack, whose DynamoDB Local sits behind a proxy that asks every request for
 * `ReturnConsumedCapacity: INDEXES`; the local server times every handler it invokes. Prints the
 * README's "Capacity and cost" tables.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDynamoDbLocal } from '../dev/dynamodb-local';
import { type Invocation, invocations } from '../dev/invocations';
import type { FunctionName } from '../src/http/functions';
import { tableNamesFromEnv } from '../src/store/dynamo-settings';
import {
  basic,
  hostedSignIn,
  inBatches,
  pkcePair,
  REDIRECT_URI,
  registerClients,
  seedUsers,
  ssoToken,
  totpUser,
} from './lib/capacity-fixtures';
import { capacityProxy, copyUnits, unitsPerRun } from './lib/capacity-proxy';
import { type Measured, printCapacityTables } from './lib/capacity-tables';
import { type Figure, runIfMain } from './lib/report';
import { median } from './lib/stats';
import { webClient } from './lib/web-client';

const RUNS = 20;
const WARMUP = 3;
const USERS = 300;
const EMAIL = 'owner@capacity.example.com';

/** One operation as a caller makes it: `requests` HTTP API requests per run. */
interface Operation {
  name: string;
  requests: number;
  /** Run `index` of WARMUP + RUNS; the first WARMUP are not counted. */
  run: (index: number) => Promise<unknown>;
}

const settle = () => new Promise((done) => setTimeout(done, 100));

export const benchCapacity = async (): Promise<Figure[]> => {
  const password = randomBytes(24).toString('base64url');
  const ssoSecret = randomBytes(24).toString('base64url');
  const dynamo = await startDynamoDbLocal();
  const proxy = await capacityProxy(dynamo.endpoint);
  const keysDir = mkdtempSync(join(tmpdir(), 'gatehouse-capacity-'));
  process.env.LOG_LEVEL = 'warn';
  const { startLocalStack } = await import('../dev/local-stack');
  const stack = await startLocalStack({
    dynamoEndpoint: proxy.endpoint,
    keysFile: join(keysDir, 'keys.json'),
    env: {
      DEFAULT_OWNER_EMAIL: EMAIL,
      DEFAULT_OWNER_PASSWORD: password,
      SSO_JWT_SECRET: ssoSecret,
      // The per-IP counter still counts (and its writes are billed) but never refuses the bench.
      RATE_LIMIT_PER_IP: '100000',
    },
  });
  let recording: Invocation[] = [];
  const record = (message: unknown) => recording.push(message as Invocation);
  invocations.subscribe(record);
  try {
    const api = webClient(stack.url);
    const { call, field } = api;
    const signIn = () => call('POST', '/auth/sign-in', { json: { login: EMAIL, password } });
    const ownerToken = field(await signIn(), 'access_token');
    await seedUsers(api, ownerToken, USERS);
    const clients = await registerClients(api, ownerToken);
    const pool = WARMUP + RUNS;
    // Sessions and API tokens the authorizer has never seen, one per run.
    const freshSessions = await inBatches(pool, 1, async () =>
      field(await signIn(), 'access_token'),
    );
    const apiTokens = await inBatches(pool, 4, async (index) =>
      field(
        await call('POST', '/tokens', {
          bearer: ownerToken,
          json: { name: `capacity ${index}` },
          expect: 201,
        }),
        'token',
      ),
    );
    let refreshToken = field(await signIn(), 'refresh_token');
    const cliAuth = basic(clients.cli.id, clients.cli.secret);
    let grantRefresh = field(
      await call('POST', '/oauth/token', {
        form: { grant_type: 'password', username: EMAIL, password },
        headers: { authorization: cliAuth },
      }),
      'refresh_token',
    );
    const browser = webClient(stack.url);
    await hostedSignIn(browser, EMAIL, password);
    const codes: { code: string; verifier: string }[] = [];
    const sso = (email: string, index: number) => async () =>
      webClient(stack.url).call(
        'GET',
        `/auth/sso?${new URLSearchParams({ jwt: await ssoToken(ssoSecret, email, index), return_to: '/console' })}`,
        { expect: 302 },
      );
    await sso('returning@capacity.example.com', -1)();
    // One user per run: a TOTP step is accepted once per factor.
    const totpUsers = await inBatches(pool, 2, (index) => totpUser(api, ownerToken, index));

    const operations: Operation[] = [
      { name: 'sign-in, password (`POST /auth/sign-in`)', requests: 1, run: signIn },
      {
        name: 'sign-in with TOTP (sign-in, then `POST /auth/mfa/verify`)',
        requests: 2,
        run: async (index) => {
          const user = totpUsers[index];
          if (!user) throw new Error(`no TOTP user ${index}`);
          const held = await call('POST', '/auth/sign-in', {
            json: { login: user.email, password: user.password },
            expect: 403,
          });
          await call('POST', '/auth/mfa/verify', {
            json: { mfa_token: field(held, 'mfa_token'), code: user.nextCode() },
          });
        },
      },
      {
        name: 'refresh (`POST /auth/refresh`)',
        requests: 1,
        run: async () => {
          const answer = await call('POST', '/auth/refresh', {
            json: { refresh_token: refreshToken },
          });
          refreshToken = field(answer, 'refresh_token');
        },
      },
      {
        name: "`GET /me`, a session's first request (authorizer + handler)",
        requests: 1,
        run: (index) => call('GET', '/me', { bearer: freshSessions[index] }),
      },
      {
        name: '`GET /me`, the same session again',
        requests: 1,
        run: () => call('GET', '/me', { bearer: freshSessions[0] }),
      },
      {
        name: "`GET /me` with an API token, the token's first use",
        requests: 1,
        run: (index) => call('GET', '/me', { bearer: apiTokens[index] }),
      },
      {
        name: '`GET /me` with the same API token again',
        requests: 1,
        run: () => call('GET', '/me', { bearer: apiTokens[0] }),
      },
      {
        name: `\`GET /users\`, a page of 50 (of ${USERS + 1} users)`,
        requests: 1,
        run: () => call('GET', '/users?limit=50', { bearer: ownerToken }),
      },
      {
        name: 'SSO login, returning user (`GET /auth/sso?jwt=`)',
        requests: 1,
        run: (index) => sso('returning@capacity.example.com', index)(),
      },
      {
        name: 'SSO login, first (creates the user)',
        requests: 1,
        run: (index) => sso(`new${index}@capacity.example.com`, index)(),
      },
      {
        name: '`GET /oauth/authorize`, signed-in browser, PKCE',
        requests: 1,
        run: async () => {
          const { verifier, challenge } = pkcePair();
          const query = new URLSearchParams({
            response_type: 'code',
            client_id: clients.spa.id,
            redirect_uri: REDIRECT_URI,
            scope: 'openid profile',
            code_challenge: challenge,
            code_challenge_method: 'S256',
          });
          const answer = await browser.call('GET', `/oauth/authorize?${query}`, { expect: 302 });
          const code = new URL(answer.location ?? '').searchParams.get('code');
          if (!code) throw new Error(`authorize gave no code: ${answer.location}`);
          codes.push({ code, verifier });
        },
      },
      {
        name: 'token: `authorization_code` + PKCE (the code above)',
        requests: 1,
        run: (index) =>
          call('POST', '/oauth/token', {
            form: {
              grant_type: 'authorization_code',
              code: codes[index]?.code ?? '',
              client_id: clients.spa.id,
              redirect_uri: REDIRECT_URI,
              code_verifier: codes[index]?.verifier ?? '',
            },
          }),
      },
      {
        name: 'token: `refresh_token`',
        requests: 1,
        run: async () => {
          const answer = await call('POST', '/oauth/token', {
            form: { grant_type: 'refresh_token', refresh_token: grantRefresh },
            headers: { authorization: cliAuth },
          });
          grantRefresh = field(answer, 'refresh_token');
        },
      },
      {
        name: 'token: `client_credentials`',
        requests: 1,
        run: () =>
          call('POST', '/oauth/token', {
            form: { grant_type: 'client_credentials' },
            headers: { authorization: basic(clients.service.id, clients.service.secret) },
          }),
      },
      {
        name: 'token: `password` (first-party client)',
        requests: 1,
        run: () =>
          call('POST', '/oauth/token', {
            form: { grant_type: 'password', username: EMAIL, password },
            headers: { authorization: cliAuth },
          }),
      },
    ];

    const measured: Measured[] = [];
    for (const operation of operations) {
      for (let index = 0; index < WARMUP; index++) await operation.run(index);
      await settle();
      const before = copyUnits(proxy.totals);
      // The nth invocation of a function within a run, apart: a sign-in's two legs differ.
      const byStep = new Map<string, { function: FunctionName; times: number[] }>();
      for (let index = WARMUP; index < pool; index++) {
        recording = [];
        await operation.run(index);
        const seen = new Map<string, number>();
        for (const { function: name, ms } of recording) {
          const nth = (seen.get(name) ?? 0) + 1;
          seen.set(name, nth);
          const step = byStep.get(`${name}#${nth}`) ?? {
            function: name as FunctionName,
            times: [],
          };
          step.times.push(ms);
          byStep.set(`${name}#${nth}`, step);
        }
      }
      await settle();
      measured.push({
        name: operation.name,
        requests: operation.requests,
        units: unitsPerRun(proxy.totals, before, RUNS),
        lambda: [...byStep.values()].map((step) => ({
          function: step.function,
          invocations: step.times.length / RUNS,
          p50Ms: median(step.times),
        })),
      });
    }
    const [cpu] = cpus();
    printCapacityTables(measured, {
      runs: RUNS,
      tableNames: tableNamesFromEnv(process.env),
      machine: `Node ${process.versions.node}, ${cpus().length} x ${cpu?.model ?? 'unknown CPU'}`,
    });
    return [];
  } finally {
    invocations.unsubscribe(record);
    await stack.stop();
    await proxy.close();
    await dynamo.stop();
    rmSync(keysDir, { recursive: true, force: true });
  }
};

runIfMain(import.meta.url, benchCapacity);
