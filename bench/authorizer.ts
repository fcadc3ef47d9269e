/**
 * Authorizer decisions per second, through the real handler, against the verifiers it could
 * have been built on, all in one run on the same tokens: raw node:crypto ES256, jose and
 * aws-jwt-verify. Rounds alternate the contenders; each figure is the median over rounds.
 */
import { createPublicKey, type KeyObject, randomUUID, verify } from 'node:crypto';
import { JwtVerifier } from 'aws-jwt-verify';
import type {
  APIGatewayRequestAuthorizerEventV2,
  APIGatewayTokenAuthorizerEvent,
} from 'aws-lambda';
import { importJWK, jwtVerify } from 'jose';
import {
  ACCESS_TOKEN_TYPE,
  type AccessTokenClaims,
  signAccessToken,
} from '../src/core/tokens/access-tokens';
import { apiTokenDigest, newApiTokenSecret } from '../src/core/tokens/api-token-secret';
import {
  currentSigner,
  newSigningKeySet,
  publicJwks,
  type Signer,
} from '../src/core/tokens/signing-keys';
import { defaultScopeCatalog } from '../src/core/users/roles';
import { type AuthorizerResult, createAuthorizer } from '../src/http/authorizer';
import { createTokenUseCounter } from '../src/http/token-use-counter';
import type { ApiTokenState } from '../src/store/api-token-state';
import { type Figure, heading, markdownTable, print, runIfMain } from './lib/report';
import { formatCount, formatRatio, median } from './lib/stats';

const ISSUER = 'https://abc123.execute-api.eu-west-1.amazonaws.com';
const AUDIENCE = ISSUER;
/** Short runs, many rounds: the machine is shared, so contenders alternate often. */
const ROUNDS = 9;
/** Distinct tokens per fresh run: about 0.15 s of raw verification each. */
const FRESH_PER_RUN = 3_000;
const REPEATED_PER_RUN = 150_000;
/**
 * Warm-up calls per contender, on tokens no round uses: past the verifier's default cache of
 * 10,000 tokens, so every timed fresh run sees a busy authorizer's steady state, a full cache.
 */
const WARMUP = 11_000;

/** RFC 8176 values the bench's tokens carry (none by default: tokens as before issue 15). */
const TOKEN_AMR = (process.env.BENCH_TOKEN_AMR ?? '').split(',').filter(Boolean);

const FRESH_RATIO_TARGET = 0.9;
/** A fresh token of a session this instance has seen (a refresh's next token). */
const KNOWN_SESSION_RATIO_TARGET = 0.95;
/** Sessions the known-session tokens name: all seen during the warm-up. */
const KNOWN_SESSIONS = 100;
const knownSids = Array.from({ length: KNOWN_SESSIONS }, () => `ses_${randomUUID()}`);
const REPEATED_TARGET = 100_000;

const claimsFor = (nowSeconds: number, sid = `ses_${randomUUID()}`): AccessTokenClaims => ({
  iss: ISSUER,
  sub: `usr_${randomUUID()}`,
  aud: AUDIENCE,
  exp: nowSeconds + 900,
  iat: nowSeconds,
  jti: randomUUID(),
  scope: defaultScopeCatalog.owner.join(' '),
  role: 'owner',
  username: 'owner',
  email: 'owner@example.com',
  user_type: 'human',
  groups: [],
  sid,
  // BENCH_TOKEN_AMR=pwd,otp,mfa: tokens as an MFA sign-in issues them (docs/mfa.md, bench).
  ...(TOKEN_AMR.length > 0 ? { amr: TOKEN_AMR } : {}),
});

const signTokens = (signer: Signer, count: number, sids?: readonly string[]): string[] => {
  const nowSeconds = Math.floor(Date.now() / 1000);
  return Array.from({ length: count }, (_, i) =>
    signAccessToken(signer, claimsFor(nowSeconds, sids?.[i % sids.length])),
  );
};

/** What API Gateway sends an HTTP API (payload 2.0) REQUEST authorizer, headers lower-cased. */
const httpApiEvent = (token: string): APIGatewayRequestAuthorizerEventV2 => ({
  version: '2.0',
  type: 'REQUEST',
  routeArn: 'arn:aws:execute-api:eu-west-1:123456789012:abc123/$default/GET/me',
  identitySource: [`Bearer ${token}`],
  routeKey: 'GET /me',
  rawPath: '/me',
  rawQueryString: '',
  cookies: [],
  headers: {
    accept: 'application/json',
    'accept-encoding': 'gzip, deflate, br',
    authorization: `Bearer ${token}`,
    'content-length': '0',
    host: 'abc123.execute-api.eu-west-1.amazonaws.com',
    'user-agent': 'bench/1.0',
    'x-amzn-trace-id': 'Root=1-67891233-abcdef012345678912345678',
    'x-forwarded-for': '203.0.113.7',
    'x-forwarded-port': '443',
    'x-forwarded-proto': 'https',
  },
  queryStringParameters: {},
  requestContext: {
    accountId: '123456789012',
    apiId: 'abc123',
    domainName: 'abc123.execute-api.eu-west-1.amazonaws.com',
    domainPrefix: 'abc123',
    http: {
      method: 'GET',
      path: '/me',
      protocol: 'HTTP/1.1',
      sourceIp: '203.0.113.7',
      userAgent: 'bench/1.0',
    },
    requestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef',
    routeKey: 'GET /me',
    stage: '$default',
    time: '12/Mar/2025:19:03:58 +0000',
    timeEpoch: 1_741_806_238_000,
  },
  pathParameters: {},
  stageVariables: {},
});

const restTokenEvent = (token: string): APIGatewayTokenAuthorizerEvent => ({
  type: 'TOKEN',
  authorizationToken: `Bearer ${token}`,
  methodArn: 'arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/GET/items',
});

const isAllowed = (result: AuthorizerResult): boolean =>
  'isAuthorized' in result
    ? result.isAuthorized
    : result.policyDocument.Statement.every((s) => s.Effect === 'Allow');

/** The primitive: split off the signature, decode it, one ES256 verify. Nothing else. */
const rawVerify = (key: KeyObject, token: string): boolean => {
  const dot = token.lastIndexOf('.');
  return verify(
    'sha256',
    Buffer.from(token.slice(0, dot)),
    { key, dsaEncoding: 'ieee-p1363' },
    Buffer.from(token.slice(dot + 1), 'base64url'),
  );
};

interface Timing {
  /** Calls per second of elapsed time. */
  wall: number;
  /** Calls per second of this process's CPU time (all its threads): what one core sustains. */
  cpu: number;
}

/** Times `count` sequential calls; a refused token stops the bench. */
const timeCalls = async (
  count: number,
  operation: (index: number) => boolean | Promise<boolean>,
): Promise<Timing> => {
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  for (let index = 0; index < count; index++) {
    if (!(await operation(index))) throw new Error(`call ${index} refused a valid token`);
  }
  const wallSeconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  return { wall: count / wallSeconds, cpu: count / ((cpu.user + cpu.system) / 1e6) };
};

interface Contender {
  name: string;
  /** Calls per timed run. */
  count: number;
  run: (round: RoundTokens, count: number) => Promise<Timing>;
}

interface RoundTokens {
  tokens: string[];
  /** Fresh tokens (never verified) of sessions the authorizer has seen. */
  knownSessionEvents: APIGatewayRequestAuthorizerEventV2[];
  /** HTTP API events carrying API tokens never seen before: each one a cache miss. */
  apiTokenEvents: APIGatewayRequestAuthorizerEventV2[];
  httpEvents: APIGatewayRequestAuthorizerEventV2[];
  /** Distinct from `tokens`: the REST shape shares the authorizer, and so its cache. */
  restEvents: APIGatewayTokenAuthorizerEvent[];
}

const RAW = 'node:crypto ES256 verify (raw)';

/** Its own function, so the warm-up tokens are garbage once it returns. */
const warmUp = async (contenders: Contender[], tokens: RoundTokens) => {
  for (const contender of contenders) await contender.run(tokens, WARMUP);
};

export const benchAuthorizer = async (): Promise<Figure[]> => {
  heading('Authorizer decisions per second');
  const keySet = newSigningKeySet(Date.now());
  const signer = currentSigner(keySet);
  const [jwk] = publicJwks(keySet).keys;
  if (!jwk) throw new Error('The key set has no public key.');
  const publicKey = createPublicKey({ key: { ...jwk }, format: 'jwk' });

  let loadKeysCalls = 0;
  let sessionChecks = 0;
  let feedReads = 0;
  let apiTokenLoads = 0;
  // Stands in for the API token and owner reads (two GetItems on AWS): in memory, counted.
  const apiTokenStates = new Map<string, ApiTokenState>();
  const newApiToken = (): string => {
    const secret = newApiTokenSecret();
    const { hash, tokenId } = apiTokenDigest(secret);
    apiTokenStates.set(tokenId, {
      token: {
        tokenId,
        hash,
        name: 'bench',
        scopes: null,
        userId: 'bench-user',
        createdBy: 'bench-user',
        createdAt: Date.now(),
        expiresAt: null,
        lifetimeSeconds: null,
        renewable: false,
        lastUsedAt: Date.now(),
        revokedAt: null,
      },
      owner: { role: 'owner', status: 'active', type: 'human' },
    });
    return secret;
  };
  const handler = createAuthorizer({
    issuer: ISSUER,
    audience: AUDIENCE,
    now: Date.now,
    loadKeys: async () => {
      loadKeysCalls++;
      return publicJwks(keySet).keys;
    },
    // Stands in for the session-state read (a DynamoDB GetItem on AWS): counted, in memory.
    // With the feed, only a token older than the feed's coverage needs it: none here.
    isSessionRevoked: async () => {
      sessionChecks++;
      return false;
    },
    revocationCacheSeconds: 10,
    // Stands in for the revocation feed (a Query per shard per window on AWS): counted, empty.
    revocationFeed: {
      lookbackSeconds: 1200,
      read: async () => {
        feedReads++;
        return [];
      },
    },
    apiTokens: {
      load: async (tokenId) => {
        apiTokenLoads++;
        return apiTokenStates.get(tokenId) ?? null;
      },
      // As the store answers a use with no stamp due (the hot path): nothing to write.
      markUsed: () => null,
    },
    // The real in-memory count of token uses; its flush (a minute apart) writes nowhere here.
    tokenUses: createTokenUseCounter({
      write: async () => {},
      intervalMs: 60_000,
      now: Date.now,
      onLost: () => {},
    }),
    scopes: defaultScopeCatalog,
    mfaRequiredRoles: [],
    denyWithReason: false,
    defaultOwnerScope: null,
  });

  const joseKey = await importJWK(jwk, 'ES256');
  const joseOptions = {
    issuer: ISSUER,
    audience: AUDIENCE,
    typ: ACCESS_TOKEN_TYPE,
    algorithms: ['ES256'],
  };
  const awsVerifier = JwtVerifier.create({
    issuer: ISSUER,
    audience: AUDIENCE,
    jwksUri: `${ISSUER}/.well-known/jwks.json`,
  });
  awsVerifier.cacheJwks({ keys: [{ ...jwk }] });

  const tokensFor = (count: number): RoundTokens => {
    const tokens = signTokens(signer, count);
    return {
      tokens,
      knownSessionEvents: signTokens(signer, count, knownSids).map(httpApiEvent),
      apiTokenEvents: Array.from({ length: count }, () => httpApiEvent(newApiToken())),
      httpEvents: tokens.map(httpApiEvent),
      restEvents: signTokens(signer, count).map(restTokenEvent),
    };
  };
  const [repeatedToken] = signTokens(signer, 1) as [string];
  const repeatedHttpEvent = httpApiEvent(repeatedToken);
  const repeatedRestEvent = restTokenEvent(repeatedToken);
  const repeatedApiTokenEvent = httpApiEvent(newApiToken());
  print(`Access tokens of ${repeatedToken.length} characters (owner scopes), signed untimed.`);

  const contenders: Contender[] = [
    {
      name: RAW,
      count: FRESH_PER_RUN,
      run: ({ tokens }, count) =>
        timeCalls(count, (i) => rawVerify(publicKey, tokens[i] as string)),
    },
    {
      name: 'authorizer, HTTP API v2, fresh token',
      count: FRESH_PER_RUN,
      run: ({ httpEvents }, count) =>
        timeCalls(count, async (i) =>
          isAllowed(await handler(httpEvents[i] as APIGatewayRequestAuthorizerEventV2)),
        ),
    },
    {
      name: 'authorizer, HTTP API v2, fresh token, known session',
      count: FRESH_PER_RUN,
      run: ({ knownSessionEvents }, count) =>
        timeCalls(count, async (i) =>
          isAllowed(await handler(knownSessionEvents[i] as APIGatewayRequestAuthorizerEventV2)),
        ),
    },
    {
      name: 'authorizer, REST TOKEN, fresh token',
      count: FRESH_PER_RUN,
      run: ({ restEvents }, count) =>
        timeCalls(count, async (i) =>
          isAllowed(await handler(restEvents[i] as APIGatewayTokenAuthorizerEvent)),
        ),
    },
    {
      name: 'jose jwtVerify',
      count: FRESH_PER_RUN,
      run: ({ tokens }, count) =>
        timeCalls(count, async (i) => {
          await jwtVerify(tokens[i] as string, joseKey, joseOptions);
          return true;
        }),
    },
    {
      name: 'aws-jwt-verify JwtVerifier.verify',
      count: FRESH_PER_RUN,
      run: ({ tokens }, count) =>
        timeCalls(count, async (i) => {
          await awsVerifier.verify(tokens[i] as string);
          return true;
        }),
    },
    {
      name: 'authorizer, HTTP API v2, repeated token',
      count: REPEATED_PER_RUN,
      run: (_round, count) =>
        timeCalls(count, async () => isAllowed(await handler(repeatedHttpEvent))),
    },
    {
      name: 'authorizer, REST TOKEN, repeated token',
      count: REPEATED_PER_RUN,
      run: (_round, count) =>
        timeCalls(count, async () => isAllowed(await handler(repeatedRestEvent))),
    },
    {
      name: 'authorizer, API token, cache miss',
      count: FRESH_PER_RUN,
      run: ({ apiTokenEvents }, count) =>
        timeCalls(count, async (i) =>
          isAllowed(await handler(apiTokenEvents[i] as APIGatewayRequestAuthorizerEventV2)),
        ),
    },
    {
      name: 'authorizer, API token, cache hit',
      count: REPEATED_PER_RUN,
      run: (_round, count) =>
        timeCalls(count, async () => isAllowed(await handler(repeatedApiTokenEvent))),
    },
  ];

  await warmUp(contenders, tokensFor(WARMUP));

  const results = new Map<string, Timing[]>(contenders.map((c) => [c.name, []]));
  for (let index = 0; index < ROUNDS; index++) {
    // Signed per round, untimed: the heap holds one round of tokens, not the whole bench's.
    const round = tokensFor(FRESH_PER_RUN);
    // Rotate the order each round, so no contender always runs first or after the same one.
    const order = [...contenders.slice(index), ...contenders.slice(0, index)];
    for (const contender of order) {
      results.get(contender.name)?.push(await contender.run(round, contender.count));
    }
  }

  const rawRuns = results.get(RAW) ?? [];
  const summarize = (runs: Timing[], metric: keyof Timing) => ({
    perSecond: median(runs.map((run) => run[metric])),
    // Per-round ratios: a contender and the raw verify of its round saw the same machine.
    ratio: median(runs.map((run, round) => run[metric] / (rawRuns[round]?.[metric] ?? Number.NaN))),
  });
  const rows = contenders.map((contender) => {
    const runs = results.get(contender.name) ?? [];
    const cpuRuns = runs.map((run) => run.cpu);
    return {
      name: contender.name,
      cpu: summarize(runs, 'cpu'),
      wall: summarize(runs, 'wall'),
      range: `${formatCount(Math.min(...cpuRuns))} - ${formatCount(Math.max(...cpuRuns))}`,
    };
  });
  print();
  print(
    markdownTable(
      [
        'Verifier',
        'calls/CPU-s',
        'CPU us/call',
        'vs raw',
        `CPU range, ${ROUNDS} rounds`,
        'calls/s wall',
        'vs raw, wall',
      ],
      rows.map((row) => [
        row.name,
        formatCount(row.cpu.perSecond),
        (1e6 / row.cpu.perSecond).toFixed(2),
        formatRatio(row.cpu.ratio),
        row.range,
        formatCount(row.wall.perSecond),
        formatRatio(row.wall.ratio),
      ]),
    ),
  );
  print();
  print(
    [
      `Medians over ${ROUNDS} rounds; each round runs every contender once, in a rotated order.`,
      `Fresh runs verify ${formatCount(FRESH_PER_RUN)} distinct tokens each (the raw verify, jose,`,
      'aws-jwt-verify and the HTTP API authorizer the same ones); repeated runs make',
      `${formatCount(REPEATED_PER_RUN)} calls with one token. Targets use calls per CPU-second of this`,
      'process (one core busy, unaffected by other processes on this shared machine), and each',
      'ratio is the median of per-round ratios to the raw verify.',
      `loadKeys (a DynamoDB read on AWS) was called ${loadKeysCalls} time(s). The revocation feed`,
      `(one Query per shard per REVOCATION_CACHE_SECONDS on AWS, in memory here) was read`,
      `${formatCount(feedReads)} times; the session-state read (a GetItem per session, only for tokens`,
      `older than the feed's coverage) ran ${formatCount(sessionChecks)} times.`,
    ].join('\n'),
  );

  const row = (name: string) => {
    const found = rows.find((r) => r.name === name);
    if (!found) throw new Error(`no result for ${name}`);
    return found;
  };
  const freshFigure = (name: string, label: string, target = FRESH_RATIO_TARGET): Figure => {
    const { cpu, wall } = row(name);
    return {
      name: `Authorizer ${label}`,
      value: `${formatRatio(cpu.ratio)} raw, ${formatCount(cpu.perSecond)}/s (wall ${formatRatio(wall.ratio)})`,
      target: `>= ${formatRatio(target)} raw`,
      meets: cpu.ratio >= target,
    };
  };
  const repeatedFigure = (name: string, label: string): Figure => {
    const { cpu, wall } = row(name);
    return {
      name: `Authorizer ${label}, repeated token`,
      value: `${formatCount(cpu.perSecond)}/s (wall ${formatCount(wall.perSecond)}/s)`,
      target: `>= ${formatCount(REPEATED_TARGET)}/s`,
      meets: cpu.perSecond >= REPEATED_TARGET,
    };
  };
  const contextFigure = (name: string): Figure => {
    const { cpu, wall } = row(name);
    return {
      name,
      value: `${formatRatio(cpu.ratio)} raw, ${formatCount(cpu.perSecond)}/s (wall ${formatRatio(wall.ratio)})`,
      target: '-',
      meets: null,
    };
  };
  return [
    freshFigure(
      'authorizer, HTTP API v2, fresh token',
      'HTTP API v2, fresh token of a never-seen session',
    ),
    freshFigure(
      'authorizer, HTTP API v2, fresh token, known session',
      'HTTP API v2, fresh token of a known session',
      KNOWN_SESSION_RATIO_TARGET,
    ),
    repeatedFigure('authorizer, HTTP API v2, repeated token', 'HTTP API v2'),
    freshFigure(
      'authorizer, REST TOKEN, fresh token',
      'REST TOKEN, fresh token of a never-seen session',
    ),
    repeatedFigure('authorizer, REST TOKEN, repeated token', 'REST TOKEN'),
    { ...contextFigure(RAW), value: `${formatCount(row(RAW).cpu.perSecond)}/s` },
    contextFigure('jose jwtVerify'),
    contextFigure('aws-jwt-verify JwtVerifier.verify'),
    {
      name: 'Authorizer loadKeys calls (DynamoDB reads on the JWT path)',
      value: String(loadKeysCalls),
      target: '1 (cold start only)',
      meets: loadKeysCalls === 1,
    },
    {
      ...contextFigure('authorizer, API token, cache miss'),
      name: 'Authorizer API token, cache miss (token + owner lookup in memory)',
      value: `${formatCount(row('authorizer, API token, cache miss').cpu.perSecond)}/s`,
    },
    {
      ...contextFigure('authorizer, API token, cache hit'),
      name: 'Authorizer API token, cache hit',
      value: `${formatCount(row('authorizer, API token, cache hit').cpu.perSecond)}/s`,
    },
    {
      name: 'Authorizer API token lookups (one per token per window)',
      value: formatCount(apiTokenLoads),
      target: '-',
      meets: null,
    },
    {
      name: 'Authorizer session-state reads (tokens older than the feed only)',
      value: formatCount(sessionChecks),
      target: '0',
      meets: sessionChecks === 0,
    },
    {
      name: 'Authorizer revocation feed reads (one per window)',
      value: formatCount(feedReads),
      target: '-',
      meets: null,
    },
  ];
};

runIfMain(import.meta.url, benchAuthorizer);
