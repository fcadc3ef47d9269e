/**
 * Mixed load against the local stack (the real handlers and authorizer, DynamoDB Local): sign-ins,
 * refreshes, GET /me, a GET /users page and API-token calls through the example API, all at
 * once, each on its own connections. Prints throughput, p50/p99 and the answers per operation;
 * any 5xx (or a request left without an answer) fails the run.
 */
import { randomBytes } from 'node:crypto';
import type autocannon from 'autocannon';
import type { LocalStack } from '../dev/local-stack';
import { fire, serverErrors, volleyTable } from './lib/cannon';
import { withLocalStack } from './lib/local-stack';
import { type Figure, heading, print, runIfMain } from './lib/report';
import { formatCount } from './lib/stats';

const SECONDS = 20;
const OWNER_EMAIL = 'owner@bench.example.com';
/**
 * Connections per operation (28 in all). Sign-ins stay under LOCKOUT_THRESHOLD (5) at once:
 * each attempt counts a failure until its success clears it, and the 5th would lock the owner.
 */
const CONNECTIONS = { signIn: 4, refresh: 4, me: 8, users: 4, apiToken: 8 } as const;

const json = { 'content-type': 'application/json' };

const call = async (url: string, init: RequestInit & { token?: string } = {}) => {
  const response = await fetch(url, {
    ...init,
    headers: {
      ...json,
      ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
    },
  });
  const body = await response.text();
  if (!response.ok) throw new Error(`${init.method ?? 'GET'} ${url}: ${response.status} ${body}`);
  return JSON.parse(body) as Record<string, unknown>;
};

/**
 * Refreshes chained per session: a refresh token is spent once (a second use is reuse and
 * ends its session), so each request takes a live one from the pool and puts back the new one.
 * The pool holds more than the connections, so one is always there when a request is built.
 */
const refreshRequests = (pool: string[]): autocannon.Request[] => [
  {
    method: 'POST',
    path: '/auth/refresh',
    headers: json,
    setupRequest: (request) => ({
      ...request,
      body: JSON.stringify({ refresh_token: pool.shift() }),
    }),
    onResponse: (status, body) => {
      if (status === 200) pool.push(String(JSON.parse(body).refresh_token));
    },
  },
];

const measureLoad = async (stack: LocalStack, password: string): Promise<Figure[]> => {
  const url = `http://127.0.0.1:${new URL(stack.url).port}`;
  const signIn = () =>
    call(`${url}/auth/sign-in`, {
      method: 'POST',
      body: JSON.stringify({ login: OWNER_EMAIL, password }),
    });
  const owner = String((await signIn()).access_token);
  const pool: string[] = [];
  for (let i = 0; i < CONNECTIONS.refresh * 3; i++) {
    pool.push(String((await signIn()).refresh_token));
  }
  const apiToken = String(
    (
      await call(`${url}/tokens`, {
        method: 'POST',
        token: owner,
        body: JSON.stringify({ name: 'load bench', scopes: ['read_user_session'] }),
      })
    ).token,
  );
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  // Past autocannon's 10 s default: a busy shared machine is slow, and a slow answer is no 5xx.
  const common = { duration: SECONDS, timeout: 30 };
  const volleys = await Promise.all([
    fire('POST /auth/sign-in', {
      ...common,
      url: `${url}/auth/sign-in`,
      method: 'POST',
      headers: json,
      body: JSON.stringify({ login: OWNER_EMAIL, password }),
      connections: CONNECTIONS.signIn,
    }),
    fire('POST /auth/refresh (rotating)', {
      ...common,
      url,
      connections: CONNECTIONS.refresh,
      requests: refreshRequests(pool),
    }),
    fire('GET /me (owner access token)', {
      ...common,
      url: `${url}/me`,
      headers: bearer(owner),
      connections: CONNECTIONS.me,
    }),
    fire('GET /users?limit=50', {
      ...common,
      url: `${url}/users?limit=50`,
      headers: bearer(owner),
      connections: CONNECTIONS.users,
    }),
    fire('GET /example/sessions (API token)', {
      ...common,
      url: `${url}/example/sessions`,
      headers: bearer(apiToken),
      connections: CONNECTIONS.apiToken,
    }),
  ]);
  print(volleyTable(volleys));
  const total = volleys.reduce((sum, v) => sum + v.requestsPerSecond, 0);
  const failed = volleys.reduce((sum, v) => sum + serverErrors(v) + v.errors, 0);
  const unexpected = volleys.reduce((sum, v) => sum + v.total - (v.statuses['200'] ?? 0), 0);
  print();
  print(
    `${formatCount(total)} req/s in all over ${SECONDS} s; ${failed} answered 5xx or not at all; ${unexpected} not 200.`,
  );
  if (failed > 0) {
    process.stderr.write(`Load: ${failed} requests answered 5xx or not at all.\n`);
    process.exitCode = 1;
  }
  return [
    {
      name: 'Mixed load: throughput (5 operations at once)',
      value: `${formatCount(total)} req/s`,
      target: '-',
      meets: null,
    },
    ...volleys.map(
      (v): Figure => ({
        name: `Mixed load: ${v.name} p50 / p99`,
        value: `${v.p50} / ${v.p99} ms, ${formatCount(v.requestsPerSecond)}/s`,
        target: '-',
        meets: null,
      }),
    ),
    {
      name: 'Mixed load: 5xx or no answer',
      value: String(failed),
      target: '0',
      meets: failed === 0,
    },
  ];
};

export const benchLoad = async (): Promise<Figure[]> => {
  heading(`Mixed load: ${SECONDS} s, ${Object.values(CONNECTIONS).join('+')} connections`);
  const password = randomBytes(18).toString('base64url');
  return withLocalStack(
    {
      DEFAULT_OWNER_EMAIL: OWNER_EMAIL,
      DEFAULT_OWNER_PASSWORD: password,
      LOG_LEVEL: 'silent',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    },
    (stack) => measureLoad(stack, password),
  );
};

runIfMain(import.meta.url, benchLoad);
