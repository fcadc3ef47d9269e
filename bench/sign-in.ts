/**
 * Sign-in latency over HTTP against the local stack (DynamoDB Local, the real handlers), next
 * to a bare bcrypt verify at the same cost, and the timing parity of the two failures.
 */
import { randomBytes } from 'node:crypto';
import { hash, verify } from '@node-rs/bcrypt';
import { loadConfig } from '../src/core/shared/config';
import type { CoreDeps } from '../src/core/shared/deps';
import type { Store } from '../src/core/shared/store';
import { withLocalStack } from './lib/local-stack';
import { type Figure, heading, markdownTable, print, runIfMain } from './lib/report';
import { formatMs, median, quantile } from './lib/stats';

const SAMPLES = 50;
const WARMUP = 3;
/** Direct calls of the core sign-in, to time its steps. */
const BREAKDOWN_SAMPLES = 20;
/** Over p50 of a bare bcrypt verify: what DynamoDB and the handler may add. */
const OVERHEAD_TARGET_MS = 10;
/** This bench's bound for "about the same": well under one bcrypt verify. */
const PARITY_TARGET_MS = 5;

const OWNER_EMAIL = 'owner@bench.example.com';
const OWNER_USERNAME = 'owner';

type Timings = Map<string, number[]>;

const record = (timings: Timings, step: string, started: number) => {
  const list = timings.get(step) ?? [];
  list.push(performance.now() - started);
  timings.set(step, list);
};

/** The store with each method timed: how long each DynamoDB step of a sign-in takes. */
const timedStore = (store: Store, timings: Timings): Store =>
  Object.fromEntries(
    Object.entries(store).map(([name, method]) => [
      name,
      async (...args: unknown[]) => {
        const started = performance.now();
        try {
          return await (method as (...a: unknown[]) => Promise<unknown>)(...args);
        } finally {
          record(timings, `store.${name}`, started);
        }
      },
    ]),
  ) as unknown as Store;

/** The core sign-in, called directly with timed deps, after the HTTP samples. */
const signInBreakdown = async (login: string, password: string): Promise<string> => {
  const [{ buildDeps, storeFromEnv }, { signInWithPassword }] = await Promise.all([
    import('../src/http/composition'),
    import('../src/core/sessions/sign-in'),
  ]);
  const timings: Timings = new Map();
  const deps = buildDeps(process.env, timedStore(storeFromEnv(process.env), timings));
  const timedDeps: CoreDeps = {
    ...deps,
    hasher: {
      ...deps.hasher,
      verify: async (secret, stored) => {
        const started = performance.now();
        try {
          return await deps.hasher.verify(secret, stored);
        } finally {
          record(timings, 'hasher.verify (bcrypt)', started);
        }
      },
    },
  };
  await signInWithPassword(timedDeps, { login, password }); // loads the signing key
  timings.clear();
  for (let i = 0; i < BREAKDOWN_SAMPLES; i++) {
    const started = performance.now();
    await signInWithPassword(timedDeps, { login, password });
    record(timings, 'signInWithPassword, in all', started);
  }
  return markdownTable(
    ['Step of a right-password sign-in (core, no HTTP)', 'calls', 'p50'],
    [...timings].map(([step, samples]) => [
      step,
      String(samples.length),
      formatMs(median(samples)),
    ]),
  );
};

type Kind =
  | 'right password'
  | 'wrong password'
  | 'unknown login'
  | 'bare bcrypt verify'
  | 'HTTP floor: GET openid-configuration';

/** The timed part, against a running stack whose default owner has `password`. */
const measureSignIn = async (url: string, password: string): Promise<Figure[]> => {
  const cost = loadConfig(process.env).bcryptCost;
  const bareHash = await hash(password, cost);

  const signIn = async (login: string, secret: string, status: number) => {
    const response = await fetch(`${url}/auth/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login, password: secret }),
    });
    const body = await response.text();
    if (response.status !== status) {
      throw new Error(`sign-in as ${login} answered ${response.status}, not ${status}: ${body}`);
    }
  };
  const wrong = `${password}-wrong`;
  // The two failures use their own logins (the username, not the email the right password
  // uses), so the right-password path never meets a failure record to clear. Both failing
  // logins collect failures alike, one attempt each per sample.
  const attempts: Record<Kind, () => Promise<void>> = {
    'right password': () => signIn(OWNER_EMAIL, password, 200),
    'wrong password': () => signIn(OWNER_USERNAME, wrong, 401),
    'unknown login': () => signIn('nobody-here', wrong, 401),
    'bare bcrypt verify': async () => {
      if (!(await verify(password, bareHash))) throw new Error('bcrypt refused its own hash');
    },
    // The same server, handler wrapper and logging, with no DynamoDB call and no bcrypt.
    'HTTP floor: GET openid-configuration': async () => {
      const response = await fetch(`${url}/.well-known/openid-configuration`);
      await response.text();
      if (response.status !== 200) throw new Error(`discovery answered ${response.status}`);
    },
  };
  const kinds = Object.keys(attempts) as Kind[];

  // The first calls build clients, load the signing key and make the dummy hash.
  for (let i = 0; i < WARMUP; i++) for (const kind of kinds) await attempts[kind]();

  const samples = new Map<Kind, number[]>(kinds.map((kind) => [kind, []]));
  for (let i = 0; i < SAMPLES; i++) {
    // Interleaved, in a rotating order: each kind sees the same machine.
    const order = [...kinds.slice(i % kinds.length), ...kinds.slice(0, i % kinds.length)];
    for (const kind of order) {
      const callStarted = performance.now();
      await attempts[kind]();
      samples.get(kind)?.push(performance.now() - callStarted);
    }
  }

  const p = (kind: Kind, q: number) => quantile(samples.get(kind) ?? [], q);
  print();
  print(
    markdownTable(
      ['Sequential calls', 'p50', 'p90', 'min', 'max'],
      kinds.map((kind) => [
        `${kind} (${SAMPLES})`,
        formatMs(p(kind, 0.5)),
        formatMs(p(kind, 0.9)),
        formatMs(p(kind, 0)),
        formatMs(p(kind, 1)),
      ]),
    ),
  );
  print();
  print(
    'Each sample: POST /auth/sign-in over HTTP to the local API (route match, handler, DynamoDB\n' +
      'Local, bcrypt, token signing), measured to the last byte of the answer. The bare verify\n' +
      `is @node-rs/bcrypt verify of a cost-${cost} hash, interleaved with the requests.`,
  );
  print();
  print(await signInBreakdown(OWNER_EMAIL, password));
  print();
  print(
    "The steps: the login's guard item, then the user item and the attempt (a conditional\n" +
      'write of the lockout record) in parallel, bcrypt, then one transaction (session, refresh\n' +
      'token, last sign-in, lockout cleared, audit event), then the token.',
  );

  const overhead = p('right password', 0.5) - p('bare bcrypt verify', 0.5);
  const parity = p('wrong password', 0.5) - p('unknown login', 0.5);
  return [
    {
      name: 'Sign-in p50, right password',
      value: `${formatMs(p('right password', 0.5))} = bcrypt p50 +${formatMs(overhead)} (p90 ${formatMs(p('right password', 0.9))})`,
      target: `<= bcrypt p50 + ${OVERHEAD_TARGET_MS} ms`,
      meets: overhead <= OVERHEAD_TARGET_MS,
    },
    {
      name: `Bare bcrypt verify, cost ${cost}`,
      value: `${formatMs(p('bare bcrypt verify', 0.5))} (p90 ${formatMs(p('bare bcrypt verify', 0.9))})`,
      target: '-',
      meets: null,
    },
    {
      name: 'Sign-in p50, wrong password - unknown login',
      value: `${parity >= 0 ? '+' : ''}${formatMs(parity)} (${formatMs(p('wrong password', 0.5))} vs ${formatMs(p('unknown login', 0.5))})`,
      target: `within ${PARITY_TARGET_MS} ms`,
      meets: Math.abs(parity) <= PARITY_TARGET_MS,
    },
  ];
};

export const benchSignIn = async (): Promise<Figure[]> => {
  heading('Sign-in latency');
  const password = randomBytes(24).toString('base64url');
  return withLocalStack(
    {
      DEFAULT_OWNER_EMAIL: OWNER_EMAIL,
      DEFAULT_OWNER_USERNAME: OWNER_USERNAME,
      DEFAULT_OWNER_PASSWORD: password,
      // Failures below stay under it: every wrong-password and unknown-login attempt is timed.
      LOCKOUT_THRESHOLD: '100',
    },
    (stack) => measureSignIn(stack.url, password),
  );
};

runIfMain(import.meta.url, benchSignIn);
