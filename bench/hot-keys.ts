/**
 * Hot keys: one client IP and one login, 32 connections, against the local stack (the real
 * handlers, DynamoDB Local). Hammers one account's lockout counter (wrong passwords) and the
 * per-IP rate-limit counter (POST /auth/passkey/options, a public route under RATE_LIMIT_PER_IP),
 * then reads each counter's items and checks that no hit was lost. docs/aws.md, "Hot keys",
 * says what DynamoDB's per-partition limits do to these counters on AWS.
 */
import { randomBytes } from 'node:crypto';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { LocalStack } from '../dev/local-stack';
import { accountLockoutKey } from '../src/core/sessions/lockout';
import { loadConfig } from '../src/core/shared/config';
import { sha256 } from '../src/core/shared/ids';
import { loginKey } from '../src/core/users/users';
import { createDocumentClient, createDynamoClient } from '../src/store/dynamo-client';
import { tableNamesFromEnv } from '../src/store/dynamo-settings';
import { keys } from '../src/store/schema';
import { fire, serverErrors, type Volley, volleyTable } from './lib/cannon';
import { withLocalStack } from './lib/local-stack';
import { type Figure, heading, print, runIfMain } from './lib/report';
import { formatCount } from './lib/stats';

const CONNECTIONS = 32;
/**
 * A fixed number of requests, not a duration: autocannon then waits for every answer, so the
 * answers can be compared with the hits stored. The lockout run stays well under
 * LOCKOUT_BASE_SECONDS (30 s), so the lock it takes never ends during it.
 */
const LOCKOUT_ATTEMPTS = 320;
const PER_IP_REQUESTS = 1000;
const OWNER_EMAIL = 'owner@bench.example.com';
const PER_IP_LIMIT = 30;
/** autocannon connects from here; the server sees it as the client's IP. */
const HOST = '127.0.0.1';

const figure = (name: string, value: string, target: string, meets: boolean | null): Figure => ({
  name,
  value,
  target,
  meets,
});

/** Wrong passwords for one account: its lockout counter is the hot item. */
const hammerLockout = async (stack: LocalStack): Promise<{ volley: Volley; figures: Figure[] }> => {
  const { storeFromEnv } = await import('../src/http/composition');
  const store = storeFromEnv(process.env);
  const url = `http://${HOST}:${new URL(stack.url).port}`;
  const volley = await fire('POST /auth/sign-in, one login, wrong password', {
    url: `${url}/auth/sign-in`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ login: OWNER_EMAIL, password: 'not-the-password-at-all' }),
    connections: CONNECTIONS,
    amount: LOCKOUT_ATTEMPTS,
  });
  const userId = (await store.findLogin(loginKey(OWNER_EMAIL)))?.userId;
  if (!userId) throw new Error('the bench owner is missing');
  const record = await store.getLoginFailures(accountLockoutKey(userId));
  const { threshold } = loadConfig(process.env).lockout;
  const counted = volley.statuses['401'] ?? 0;
  const refused = volley.statuses['429'] ?? 0;
  return {
    volley,
    figures: [
      figure('Hot lockout key: 5xx', String(serverErrors(volley)), '0', serverErrors(volley) === 0),
      figure(
        'Hot lockout key: failures stored vs 401 answers',
        `${record?.failures ?? 0} vs ${counted}`,
        'equal (no hit lost)',
        (record?.failures ?? 0) === counted,
      ),
      figure(
        'Hot lockout key: attempts that reached bcrypt',
        String(counted),
        `${threshold} (LOCKOUT_THRESHOLD), then 429`,
        counted === threshold && refused + counted === LOCKOUT_ATTEMPTS,
      ),
    ],
  };
};

/** The rate-limit counters of `ip` for every window between `from` and `to`. */
const ipCounterHits = async (endpoint: string, ip: string, from: number, to: number) => {
  const db = createDocumentClient(createDynamoClient({ endpoint }));
  const table = tableNamesFromEnv(process.env).tokens;
  const windowMs = 60_000;
  const windows: number[] = [];
  for (let start = Math.floor(from / windowMs) * windowMs; start <= to; start += windowMs) {
    windows.push(start);
  }
  try {
    return await Promise.all(
      windows.map(async (start) => {
        const key = `${sha256(`ip:${ip}`).slice(0, 32)}:${start}`;
        const item = await db.send(new GetCommand({ TableName: table, Key: keys.counter(key) }));
        return Number(item.Item?.hits ?? 0);
      }),
    );
  } finally {
    db.destroy();
  }
};

/** One IP on a public route under RATE_LIMIT_PER_IP: its window's counter is the hot item. */
const hammerPerIp = async (stack: LocalStack): Promise<{ volley: Volley; figures: Figure[] }> => {
  const url = `http://${HOST}:${new URL(stack.url).port}`;
  const from = Date.now();
  const volley = await fire('POST /auth/passkey/options, one IP', {
    url: `${url}/auth/passkey/options`,
    method: 'POST',
    connections: CONNECTIONS,
    amount: PER_IP_REQUESTS,
  });
  const hits = await ipCounterHits(stack.dynamoEndpoint, HOST, from, Date.now());
  const stored = hits.reduce((sum, count) => sum + count, 0);
  // Each window lets the first PER_IP_LIMIT hits through, whatever the concurrency.
  const allowed = hits.reduce((sum, count) => sum + Math.min(count, PER_IP_LIMIT), 0);
  const passed = volley.statuses['200'] ?? 0;
  return {
    volley,
    figures: [
      figure('Hot per-IP key: 5xx', String(serverErrors(volley)), '0', serverErrors(volley) === 0),
      figure(
        'Hot per-IP key: hits stored vs requests answered',
        `${formatCount(stored)} vs ${formatCount(volley.total)} (${hits.length} window(s))`,
        'equal (no hit lost)',
        stored === volley.total && volley.total === PER_IP_REQUESTS,
      ),
      figure(
        'Hot per-IP key: 200 answers',
        `${passed} (then 429: ${formatCount(volley.statuses['429'] ?? 0)})`,
        `${allowed} (${PER_IP_LIMIT} per window)`,
        passed === allowed,
      ),
    ],
  };
};

export const benchHotKeys = async (): Promise<Figure[]> => {
  heading(`Hot keys: one IP, one login, ${CONNECTIONS} connections`);
  return withLocalStack(
    {
      DEFAULT_OWNER_EMAIL: OWNER_EMAIL,
      DEFAULT_OWNER_PASSWORD: randomBytes(18).toString('base64url'),
      RATE_LIMIT_PER_IP: String(PER_IP_LIMIT),
      LOG_LEVEL: 'silent',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    },
    async (stack) => {
      const lockout = await hammerLockout(stack);
      const perIp = await hammerPerIp(stack);
      print(volleyTable([lockout.volley, perIp.volley]));
      print();
      print(
        'A locked key answers 429 from one refused conditional write, before bcrypt; every ' +
          'per-IP request adds one hit, refused or not.',
      );
      return [...lockout.figures, ...perIp.figures];
    },
  );
};

runIfMain(import.meta.url, benchHotKeys);
