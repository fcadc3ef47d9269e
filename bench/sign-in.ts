/**
 * Sign-in and refresh latency over HTTP against the local stack (DynamoDB Local, the real
 * handlers), next to a bare bcrypt verify at the same cost, and the timing parity of the two
 * failures; then each core call's round trips and where its time goes (lib/store-phases.ts).
 */
import { randomBytes } from 'node:crypto';
import { hash, verify } from '@node-rs/bcrypt';
import { loadConfig } from '../src/core/shared/config';
import type { CoreDeps } from '../src/core/shared/deps';
import { withLocalStack } from './lib/local-stack';
import { type Figure, heading, markdownTable, print, runIfMain } from './lib/report';
import { formatMs, median, quantile } from './lib/stats';
import { type Phase, type Split, traced } from './lib/store-phases';

const SAMPLES = 50;
const WARMUP = 3;
/** Direct calls of the core, to time their steps. */
const BREAKDOWN_SAMPLES = 20;
/** Over p50 of a bare bcrypt verify: what DynamoDB and the handler may add (issue 17). */
const OVERHEAD_TARGET_MS = 6;
/** This bench's bound for "about the same": well under one bcrypt verify. */
const PARITY_TARGET_MS = 5;

const OWNER_EMAIL = 'owner@bench.example.com';
const OWNER_USERNAME = 'owner';

/** The phases of a call, as one line: `findLogin | getUser + ... (beside bcrypt) | ...`. */
const phaseLine = (phases: Phase[]) =>
  phases
    .map((p) => `${[...new Set(p.calls)].join(' + ')}${p.besideBcrypt ? ' (beside bcrypt)' : ''}`)
    .join(' -> ');

/** The core call, made directly with traced deps: its round trips and where its time goes. */
const breakdown = async (
  label: string,
  call: (deps: CoreDeps) => Promise<unknown>,
): Promise<{ text: string; wall: number }> => {
  const { buildDeps, storeFromEnv } = await import('../src/http/composition');
  const trace = traced(storeFromEnv(process.env));
  const deps = buildDeps(process.env, trace.store);
  const tracedDeps: CoreDeps = { ...deps, hasher: trace.hasher(deps.hasher) };
  await call(tracedDeps); // loads the signing key
  const runs: { phases: Phase[]; split: Split }[] = [];
  for (let i = 0; i < BREAKDOWN_SAMPLES; i++)
    runs.push(await trace.measure(() => call(tracedDeps)));
  const first = runs[0];
  if (!first) return { text: '', wall: Number.NaN };
  const sameShape = runs.every((run) => phaseLine(run.phases) === phaseLine(first.phases));
  const onPath = first.phases.filter((p) => !p.besideBcrypt).length;
  const p50 = (pick: (split: Split) => number) => formatMs(median(runs.map((r) => pick(r.split))));
  const rows = [
    ['in all (wall)', p50((s) => s.wall)],
    ['bcrypt', p50((s) => s.bcrypt)],
    ...first.phases.map((phase, i) => [
      `round trip ${i + 1}: ${[...new Set(phase.calls)].join(' + ')}${phase.besideBcrypt ? ' (time not hidden by bcrypt)' : ''}`,
      p50((s) => s.phases[i] ?? 0),
    ]),
    ['the rest (JavaScript: token signing, JSON)', p50((s) => s.other)],
  ];
  const text = [
    `${label}: ${first.phases.length} round trips, ${onPath} on the critical path (the others run beside bcrypt); ${first.phases.reduce((n, p) => n + p.calls.length, 0)} store calls${sameShape ? '' : ' (the shape varied between runs)'}.`,
    `  ${phaseLine(first.phases)}`,
    '',
    markdownTable([`${label} (core, no HTTP, ${BREAKDOWN_SAMPLES} calls)`, 'p50'], rows),
  ].join('\n');
  return { text, wall: median(runs.map((r) => r.split.wall)) };
};

type Kind =
  | 'right password'
  | 'wrong password'
  | 'unknown login'
  | 'refresh'
  | 'bare bcrypt verify'
  | 'HTTP floor: GET openid-configuration';

/** The timed part, against a running stack whose default owner has `password`. */
const measureSignIn = async (url: string, password: string): Promise<Figure[]> => {
  const cost = loadConfig(process.env).bcryptCost;
  const bareHash = await hash(password, cost);

  const post = async (path: string, payload: object, status: number) => {
    const response = await fetch(`${url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(payload),
    });
    const body = await response.text();
    if (response.status !== status) {
      throw new Error(`${path} answered ${response.status}, not ${status}: ${body}`);
    }
    return body;
  };
  const signIn = async (login: string, secret: string, status: number) => {
    await post('/auth/sign-in', { login, password: secret }, status);
  };
  // One session, refreshed in a chain: each refresh spends the token the last one answered.
  let refreshToken = JSON.parse(await post('/auth/sign-in', { login: OWNER_EMAIL, password }, 200))
    .refresh_token as string;
  const refresh = async () => {
    const body = await post('/auth/refresh', { refresh_token: refreshToken }, 200);
    refreshToken = JSON.parse(body).refresh_token;
  };
  const wrong = `${password}-wrong`;
  // The two failures use their own logins (the username, not the email the right password
  // uses), so the right-password path never meets a failure record to clear. Both failing
  // logins collect failures alike, one attempt each per sample.
  const attempts: Record<Kind, () => Promise<void>> = {
    'right password': () => signIn(OWNER_EMAIL, password, 200),
    'wrong password': () => signIn(OWNER_USERNAME, wrong, 401),
    'unknown login': () => signIn('nobody-here', wrong, 401),
    refresh,
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
  const [{ signInWithPassword }, { rotateRefreshToken }] = await Promise.all([
    import('../src/core/sessions/sign-in'),
    import('../src/core/sessions/sessions'),
  ]);
  const expectFailure = (promise: Promise<unknown>) =>
    promise.then(
      () => {
        throw new Error('a failure succeeded');
      },
      () => null,
    );
  const right = await breakdown('Right password', (deps) =>
    signInWithPassword(deps, { login: OWNER_EMAIL, password }),
  );
  for (const section of [
    right,
    await breakdown('Wrong password', (deps) =>
      expectFailure(signInWithPassword(deps, { login: OWNER_USERNAME, password: wrong })),
    ),
    await breakdown('Unknown login', (deps) =>
      expectFailure(signInWithPassword(deps, { login: 'nobody-here', password: wrong })),
    ),
    await breakdown('Refresh', async (deps) => {
      refreshToken = (await rotateRefreshToken(deps, refreshToken, { endpoint: 'auth' }))
        .refresh_token;
    }),
  ]) {
    print();
    print(section.text);
  }
  print();
  print(
    "Sign-in: the login's item (with the hint of the password hash), then bcrypt on the hint\n" +
      'beside the user item, the counted attempt (a conditional write of the lockout record) and\n' +
      'the factors; then one transaction (session, refresh token, last sign-in, lockout cleared,\n' +
      `audit event), then the token. HTTP and the handler add ${formatMs(p('right password', 0.5) - right.wall)}\n` +
      `(right password over HTTP, p50, minus the core call's p50; the HTTP floor is ${formatMs(p('HTTP floor: GET openid-configuration', 0.5))}).`,
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
      name: 'Refresh p50',
      value: `${formatMs(p('refresh', 0.5))} (p90 ${formatMs(p('refresh', 0.9))})`,
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
