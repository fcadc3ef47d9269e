/**
 * POST /oauth/token latency per grant, over HTTP against the local stack (DynamoDB Local, the
 * real handlers), with form bodies as clients send them. The password grant runs bcrypt, so it
 * is set next to a bare bcrypt verify at the same cost.
 */
import { createHash, randomBytes } from 'node:crypto';
import { hash, verify } from '@node-rs/bcrypt';
import type { LocalStack } from '../dev/local-stack';
import { loadConfig } from '../src/core/shared/config';
import { withLocalStack } from './lib/local-stack';
import { type Figure, heading, markdownTable, print, runIfMain } from './lib/report';
import { formatMs, quantile } from './lib/stats';

const SAMPLES = 200;
const WARMUP = 10;
/** p50 on DynamoDB Local for the grants without bcrypt. */
const TARGET_MS = 25;
/** Over p50 of a bare bcrypt verify: what the password grant may add. */
const PASSWORD_OVERHEAD_TARGET_MS = 15;

const OWNER_EMAIL = 'owner@bench.example.com';
const REDIRECT_URI = 'https://spa.bench.example.com/cb';

type Kind =
  | 'client_credentials'
  | 'refresh_token'
  | 'authorization_code'
  | 'password'
  | 'bare bcrypt verify';

interface TokenAnswer {
  access_token: string;
  refresh_token?: string;
}

interface Registered {
  client_id: string;
  client_secret?: string;
}

/** Untimed setup, then the timed call. */
interface Attempt {
  prepare?: () => Promise<void>;
  run: () => Promise<void>;
}

const basic = (client: Registered) =>
  `Basic ${Buffer.from(`${encodeURIComponent(client.client_id)}:${encodeURIComponent(client.client_secret ?? '')}`).toString('base64')}`;

/** Registers the clients as the owner, then times each grant, interleaved. */
const measureTokenEndpoint = async (stack: LocalStack, password: string): Promise<Figure[]> => {
  const { url } = stack;
  const userId = stack.owner.user?.id;
  if (!userId) throw new Error('The local stack did not create the owner.');

  const call = async (path: string, init: RequestInit, expected: number): Promise<unknown> => {
    const response = await fetch(`${url}${path}`, init);
    const text = await response.text();
    if (response.status !== expected) {
      throw new Error(`${init.method} ${path} answered ${response.status}: ${text}`);
    }
    return JSON.parse(text);
  };
  const postToken = async (fields: Record<string, string>, authorization?: string) =>
    (await call(
      '/oauth/token',
      {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          ...(authorization ? { authorization } : {}),
        },
        body: new URLSearchParams(fields).toString(),
      },
      200,
    )) as TokenAnswer;

  const { access_token: ownerToken } = (await call(
    '/auth/sign-in',
    {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login: OWNER_EMAIL, password }),
    },
    200,
  )) as TokenAnswer;
  const register = async (client: Record<string, unknown>) =>
    (await call(
      '/clients',
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${ownerToken}` },
        body: JSON.stringify(client),
      },
      201,
    )) as Registered;
  const service = await register({
    name: 'bench service',
    grant_types: ['client_credentials'],
    confidential: true,
  });
  const cli = await register({
    name: 'bench cli',
    grant_types: ['password', 'refresh_token'],
    confidential: true,
    first_party: true,
  });
  const spa = await register({
    name: 'bench spa',
    grant_types: ['authorization_code', 'refresh_token'],
    confidential: false,
    redirect_uris: [REDIRECT_URI],
  });

  const cost = loadConfig(process.env).bcryptCost;
  const bareHash = await hash(password, cost);
  const codeVerifier = randomBytes(32).toString('base64url');
  const codeChallenge = createHash('sha256').update(codeVerifier).digest('base64url');
  // Imported only now: composition loads the logger, which reads LOG_LEVEL when it loads.
  const [{ buildDeps }, { issueAuthorizationCode }, { allowConsent }, { noRequest }] =
    await Promise.all([
      import('../src/http/composition'),
      import('../src/core/oauth/authorization-codes'),
      import('../src/core/oauth/consent'),
      import('../src/core/audit/audit'),
    ]);
  const deps = buildDeps(process.env);
  // The owner allowed the third-party SPA once, as on the consent page: codes for it hold.
  const [owner, spaClient] = await Promise.all([
    deps.store.getUser(userId),
    deps.store.getClient(spa.client_id),
  ]);
  if (!owner || !spaClient) throw new Error('The bench owner or SPA client is missing.');
  await allowConsent(deps, owner, spaClient, ['profile'], noRequest);

  let refreshToken = (
    await postToken({ grant_type: 'password', username: OWNER_EMAIL, password }, basic(cli))
  ).refresh_token;
  let code = '';
  const attempts: Record<Kind, Attempt> = {
    client_credentials: {
      run: async () => {
        await postToken({ grant_type: 'client_credentials' }, basic(service));
      },
    },
    // Rotating: each call spends the refresh token the previous one answered.
    refresh_token: {
      run: async () => {
        if (!refreshToken) throw new Error('No refresh token to rotate.');
        const answer = await postToken(
          { grant_type: 'refresh_token', refresh_token: refreshToken },
          basic(cli),
        );
        refreshToken = answer.refresh_token;
      },
    },
    // The code is minted as the hosted sign-in would, outside the timing; the exchange is timed.
    authorization_code: {
      prepare: async () => {
        code = await issueAuthorizationCode(deps, {
          clientId: spa.client_id,
          redirectUri: REDIRECT_URI,
          codeChallenge,
          userId,
          scope: ['profile'],
        });
      },
      run: async () => {
        await postToken({
          grant_type: 'authorization_code',
          code,
          client_id: spa.client_id,
          redirect_uri: REDIRECT_URI,
          code_verifier: codeVerifier,
        });
      },
    },
    password: {
      run: async () => {
        await postToken({ grant_type: 'password', username: OWNER_EMAIL, password }, basic(cli));
      },
    },
    'bare bcrypt verify': {
      run: async () => {
        if (!(await verify(password, bareHash))) throw new Error('bcrypt refused its own hash');
      },
    },
  };
  const kinds = Object.keys(attempts) as Kind[];

  const samples = new Map<Kind, number[]>(kinds.map((kind) => [kind, []]));
  for (let round = -WARMUP; round < SAMPLES; round++) {
    // Interleaved, in a rotating order: each kind sees the same machine.
    const shift = (round + WARMUP) % kinds.length;
    for (const kind of [...kinds.slice(shift), ...kinds.slice(0, shift)]) {
      const attempt = attempts[kind];
      await attempt.prepare?.();
      const started = performance.now();
      await attempt.run();
      if (round >= 0) samples.get(kind)?.push(performance.now() - started);
    }
  }

  const p = (kind: Kind, q: number) => quantile(samples.get(kind) ?? [], q);
  print();
  print(
    markdownTable(
      ['Serial calls', 'iterations', 'p50', 'p95', 'p99', 'min', 'max'],
      kinds.map((kind) => [
        kind,
        String(samples.get(kind)?.length ?? 0),
        formatMs(p(kind, 0.5)),
        formatMs(p(kind, 0.95)),
        formatMs(p(kind, 0.99)),
        formatMs(p(kind, 0)),
        formatMs(p(kind, 1)),
      ]),
    ),
  );
  print();
  print(
    `Each sample: POST /oauth/token over HTTP to the local API with a form body, measured to the\n` +
      `last byte of the answer; ${SAMPLES} serial rounds of every kind after ${WARMUP} warm-up rounds.\n` +
      'client_credentials and refresh_token authenticate with Basic; refresh_token spends the\n' +
      "token the previous call answered; authorization_code is a public client's PKCE S256\n" +
      'exchange of a code minted untimed just before; password is a first-party client signing\n' +
      `the owner in. The bare verify is @node-rs/bcrypt verify of a cost-${cost} hash.`,
  );
  print(
    `Targets: client_credentials, refresh_token and authorization_code p50 < ${TARGET_MS} ms; ` +
      `password p50 < bcrypt p50 + ${PASSWORD_OVERHEAD_TARGET_MS} ms.`,
  );

  const spread = (kind: Kind) => `(p95 ${formatMs(p(kind, 0.95))}, p99 ${formatMs(p(kind, 0.99))})`;
  const fast = (['client_credentials', 'refresh_token', 'authorization_code'] as const).map(
    (kind): Figure => ({
      name: `POST /oauth/token p50, ${kind}`,
      value: `${formatMs(p(kind, 0.5))} ${spread(kind)}`,
      target: `< ${TARGET_MS} ms`,
      meets: p(kind, 0.5) < TARGET_MS,
    }),
  );
  const overhead = p('password', 0.5) - p('bare bcrypt verify', 0.5);
  return [
    ...fast,
    {
      name: 'POST /oauth/token p50, password',
      value: `${formatMs(p('password', 0.5))} = bcrypt p50 +${formatMs(overhead)} ${spread('password')}`,
      target: `< bcrypt p50 + ${PASSWORD_OVERHEAD_TARGET_MS} ms`,
      meets: overhead < PASSWORD_OVERHEAD_TARGET_MS,
    },
    {
      name: `Bare bcrypt verify, cost ${cost} (token endpoint run)`,
      value: `${formatMs(p('bare bcrypt verify', 0.5))} ${spread('bare bcrypt verify')}`,
      target: '-',
      meets: null,
    },
  ];
};

export const benchTokenEndpoint = async (): Promise<Figure[]> => {
  heading('Token endpoint latency');
  const password = randomBytes(24).toString('base64url');
  return withLocalStack(
    { DEFAULT_OWNER_EMAIL: OWNER_EMAIL, DEFAULT_OWNER_PASSWORD: password },
    (stack) => measureTokenEndpoint(stack, password),
  );
};

runIfMain(import.meta.url, benchTokenEndpoint);
