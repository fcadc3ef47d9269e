/**
 * GET /users at 1,000 and at 100,000 users, one run, one server: a listing page, a deep page,
 * a prefix search and a filtered listing should cost the same whatever the number of users,
 * since each page is one Query on a sparse index (no Scan). Users are seeded straight through
 * the store; requests go over HTTP with the owner's token, and every DynamoDB call they make
 * is counted.
 */
import { randomBytes } from 'node:crypto';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { ClientRequest } from 'node:http';
import type { LocalStack } from '../dev/local-stack';
import { newId } from '../src/core/shared/ids';
import type { Store } from '../src/core/shared/store';
import { emailKey, type UserRecord, usernameKey } from '../src/core/users/users';
import { withLocalStack } from './lib/local-stack';
import { type Figure, heading, markdownTable, print, runIfMain } from './lib/report';
import { formatCount, formatMs, formatRatio, quantile } from './lib/stats';

const SIZES = [1_000, 100_000] as const;
/** Growing to the larger size stops here, and the figures say which size was reached. */
const SEED_BUDGET_MS = 300_000;
const SEED_CONCURRENCY = 32;
const SAMPLES = 40;
/** Rounds before timing: DynamoDB Local's JVM is still cold at the first size. */
const WARMUP = 20;
const PAGE = 50;
/** The biggest page the API gives: walks the whole listing in the fewest requests. */
const WALK_PAGE = 200;
/** "About the same": p50 at the larger size over p50 at the smaller one. */
const FLAT_TARGET = 1.5;
/** Starts 4 of the 24 first names: about one user in six. */
const COMMON_PREFIX = 'ma';

const OWNER_EMAIL = 'owner@bench.example.com';
const FIRST_NAMES = (
  'Maria James Mark Aisha Chen Sofia Lucas Mateo Olga Noah Priya Emma ' +
  'Kenji Fatima Liam Maya Ivan Zoe Omar Hana Diego Elena Tom Ana'
).split(' ');
const LAST_NAMES = (
  'Garcia Smith Nguyen Kowalski Okafor Rossi Tanaka Muller Silva Haddad Novak Jensen ' +
  'Patel Dubois Kim Lopez Ivanova Brown Cohen Moreau Sato Berg Costa Ali'
).split(' ');

/** The i-th bench user: mostly active viewers, created one second after the previous one. */
const benchUser = (i: number, epoch: number): UserRecord => {
  const number = String(i).padStart(6, '0');
  const email = `user-${number}@example.com`;
  const username = `user${number}`;
  const at = epoch + i * 1000;
  return {
    id: newId(),
    email,
    emailKey: emailKey(email),
    username,
    usernameKey: usernameKey(username),
    name: `${FIRST_NAMES[i % FIRST_NAMES.length]} ${LAST_NAMES[Math.floor(i / FIRST_NAMES.length) % LAST_NAMES.length]}`,
    role: i % 10 < 7 ? 'viewer' : i % 10 < 9 ? 'editor' : 'admin',
    status: i % 7 === 0 ? 'pending' : i % 11 === 0 ? 'disabled' : 'active',
    type: 'human',
    groups: [],
    attributes: {},
    passwordHash: null,
    createdAt: at,
    updatedAt: at,
    lastSignInAt: null,
  };
};

/** Creates bench users `from`..`to`-1, SEED_CONCURRENCY at a time, until `deadline`. */
const seedUsers = async (
  store: Store,
  range: { from: number; to: number; epoch: number; deadline: number },
): Promise<{ reached: number; seconds: number }> => {
  const started = performance.now();
  let next = range.from;
  let created = 0;
  const worker = async () => {
    while (next < range.to && performance.now() < range.deadline) {
      const i = next++;
      await store.createUser(benchUser(i, range.epoch));
      created++;
    }
  };
  await Promise.all(Array.from({ length: SEED_CONCURRENCY }, worker));
  return { reached: range.from + created, seconds: (performance.now() - started) / 1000 };
};

/**
 * Every DynamoDB call this process makes, by operation: the SDK's requests go out on node:http
 * with the operation in `x-amz-target`. The bench's own requests go through fetch, not node:http.
 */
const dynamoCalls = () => {
  const counts = new Map<string, number>();
  const onRequest = (message: unknown) => {
    const { request } = message as { request: ClientRequest };
    const target = request.getHeader('x-amz-target');
    if (typeof target !== 'string') return;
    const operation = target.slice(target.indexOf('.') + 1);
    counts.set(operation, (counts.get(operation) ?? 0) + 1);
  };
  subscribe('http.client.request.start', onRequest);
  return {
    /** The calls since the last take, as "BatchGetItem 1, GetItem 1, Query 1". */
    take: (): string => {
      const taken = [...counts]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([operation, count]) => `${operation} ${count}`)
        .join(', ');
      counts.clear();
      return taken || 'none';
    },
    stop: () => unsubscribe('http.client.request.start', onRequest),
  };
};

interface Listing {
  users: { id: string }[];
  next_cursor: string | null;
}

const client = (url: string, token: string) => async (query: string) => {
  const response = await fetch(`${url}/users?${query}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  const body = await response.text();
  if (response.status !== 200) {
    throw new Error(`GET /users?${query} answered ${response.status}: ${body}`);
  }
  return JSON.parse(body) as Listing;
};

const signIn = async (url: string, password: string): Promise<string> => {
  const response = await fetch(`${url}/auth/sign-in`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ login: OWNER_EMAIL, password }),
  });
  const body = await response.text();
  if (response.status !== 200) throw new Error(`sign-in answered ${response.status}: ${body}`);
  return (JSON.parse(body) as { access_token: string }).access_token;
};

/** Pages through the whole listing: it must end, with every user once; keeps every cursor. */
const walkListing = async (list: (query: string) => Promise<Listing>, expected: number) => {
  const started = performance.now();
  const seen = new Set<string>();
  const cursors: string[] = [];
  let cursor: string | null = null;
  do {
    const page: Listing = await list(
      `limit=${WALK_PAGE}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    for (const user of page.users) seen.add(user.id);
    cursor = page.next_cursor;
    if (cursor) cursors.push(cursor);
  } while (cursor);
  const pages = cursors.length + 1;
  if (seen.size !== expected || !cursors.length) {
    throw new Error(`the listing gave ${seen.size} users in ${pages} pages, not ${expected}`);
  }
  return {
    /** A cursor about `share` of the way into the listing: cursors[i] starts at (i + 1) pages. */
    cursorAt: (share: number) =>
      cursors[Math.max(0, Math.floor((expected * share) / WALK_PAGE) - 1)] as string,
    pages,
    seconds: (performance.now() - started) / 1000,
  };
};

/**
 * The four requests of the issue, plus controls at other positions in the same indexes:
 * a page 10% in, and prefixes at the start (q=a) and past all emails and usernames (q=zo)
 * of the search partition.
 */
const KINDS = [
  'first page',
  'page 10% in',
  'page 90% in',
  'q=a',
  `q=${COMMON_PREFIX}`,
  'q=zo',
  'role=viewer&status=active',
] as const;
type Kind = (typeof KINDS)[number];
const FIGURE_KINDS: Kind[] = [
  'first page',
  'page 90% in',
  `q=${COMMON_PREFIX}`,
  'role=viewer&status=active',
];

interface Measured {
  users: number;
  samples: Record<Kind, number[]>;
  /** What the last sample of each kind answered, and every set of DynamoDB calls seen. */
  shape: Record<Kind, { items: number; more: boolean; calls: string[] }>;
}

const measureAt = async (
  url: string,
  token: string,
  users: number,
  calls: ReturnType<typeof dynamoCalls>,
): Promise<Measured> => {
  const list = client(url, token);
  const walk = await walkListing(list, users);
  print(
    `${formatCount(users)} users: the whole listing in ${walk.pages} pages of ${WALK_PAGE}, ${walk.seconds.toFixed(1)} s, each user once, next_cursor null on the last page.`,
  );
  const cursor = (share: number) => `&cursor=${encodeURIComponent(walk.cursorAt(share))}`;
  // Cursors from the limit-200 walk work with limit 50: a cursor binds the filters, not the limit.
  const queries: Record<Kind, string> = {
    'first page': `limit=${PAGE}`,
    'page 10% in': `limit=${PAGE}${cursor(0.1)}`,
    'page 90% in': `limit=${PAGE}${cursor(0.9)}`,
    'q=a': `q=a&limit=${PAGE}`,
    [`q=${COMMON_PREFIX}`]: `q=${COMMON_PREFIX}&limit=${PAGE}`,
    'q=zo': `q=zo&limit=${PAGE}`,
    'role=viewer&status=active': `role=viewer&status=active&limit=${PAGE}`,
  };
  const samples = Object.fromEntries(KINDS.map((kind) => [kind, []])) as unknown as Record<
    Kind,
    number[]
  >;
  const shape = {} as Measured['shape'];
  for (let i = 0; i < WARMUP; i++) for (const kind of KINDS) await list(queries[kind]);
  for (let i = 0; i < SAMPLES; i++) {
    const order = [...KINDS.slice(i % KINDS.length), ...KINDS.slice(0, i % KINDS.length)];
    for (const kind of order) {
      calls.take();
      const started = performance.now();
      const page = await list(queries[kind]);
      samples[kind].push(performance.now() - started);
      const made = calls.take();
      const seen = shape[kind]?.calls ?? [];
      shape[kind] = {
        items: page.users.length,
        more: page.next_cursor !== null,
        calls: seen.includes(made) ? seen : [...seen, made],
      };
    }
  }
  return { users, samples, shape };
};

const report = (small: Measured, large: Measured): Figure[] => {
  const p = (measured: Measured, kind: Kind, q: number) => quantile(measured.samples[kind], q);
  const ratio = (kind: Kind) => p(large, kind, 0.5) / p(small, kind, 0.5);
  const callsOf = (kind: Kind) => [
    ...new Set([...small.shape[kind].calls, ...large.shape[kind].calls]),
  ];
  const at = (measured: Measured) => formatCount(measured.users);
  print();
  print(
    markdownTable(
      [
        `GET /users?limit=${PAGE}&...`,
        `items, more @ ${at(large)}`,
        'DynamoDB calls per request',
        `p50 @ ${at(small)}`,
        `p90 @ ${at(small)}`,
        `p50 @ ${at(large)}`,
        `p90 @ ${at(large)}`,
        'p50 ratio',
      ],
      KINDS.map((kind) => [
        FIGURE_KINDS.includes(kind) ? kind : `${kind} (control)`,
        `${large.shape[kind].items}, ${large.shape[kind].more ? 'yes' : 'no'}`,
        callsOf(kind).join(' / '),
        formatMs(p(small, kind, 0.5)),
        formatMs(p(small, kind, 0.9)),
        formatMs(p(large, kind, 0.5)),
        formatMs(p(large, kind, 0.9)),
        formatRatio(ratio(kind)),
      ]),
    ),
  );
  print();
  print(
    `${SAMPLES} sequential samples of each request at each size, interleaved in a rotating order,\n` +
      'over HTTP to the local API with the owner token (authorizer, handler, DynamoDB Local),\n' +
      `to the last byte. Users counts include the owner. q=${COMMON_PREFIX} matches about one user\n` +
      'in six by name. GetItem is the caller, read once per request (requireActor). By design\n' +
      '(src/store/dynamo-users.ts) a listing page is one Query on a sparse index, and a q search\n' +
      'one Query on the search partition plus one BatchGetItem for its users: never a Scan.',
  );
  print();
  print(
    `At ${at(large)} users, with the same calls, the page 90% in takes ${formatMs(p(large, 'page 90% in', 0.5))}\n` +
      `against ${formatMs(p(large, 'page 10% in', 0.5))} 10% in, and q=zo ${formatMs(p(large, 'q=zo', 0.5))} against q=a ${formatMs(p(large, 'q=a', 0.5))}:\n` +
      'pages start with a range condition on the sort key (not an ExclusiveStartKey, which\n' +
      'DynamoDB Local walks to), so where a page starts in an index does not matter.',
  );
  const expected = (kind: Kind) =>
    kind.startsWith('q=') ? 'BatchGetItem 1, GetItem 1, Query 1' : 'GetItem 1, Query 1';
  return [
    ...FIGURE_KINDS.map((kind) => ({
      name: `GET /users ${kind} p50, ${at(large)} vs ${at(small)} users`,
      value: `${formatMs(p(large, kind, 0.5))} vs ${formatMs(p(small, kind, 0.5))} (${formatRatio(ratio(kind))})`,
      target: `<= ${formatRatio(FLAT_TARGET)}`,
      meets: ratio(kind) <= FLAT_TARGET,
    })),
    {
      name: 'DynamoDB calls per GET /users page',
      value: [...new Set(KINDS.flatMap(callsOf))].join(' / '),
      target: 'caller GetItem 1 + Query 1 (+ BatchGetItem 1 for q), no Scan',
      meets: KINDS.every((kind) => callsOf(kind).every((made) => made === expected(kind))),
    },
  ];
};

export const benchUsersList = async (): Promise<Figure[]> => {
  heading('User listing at 1,000 and 100,000 users');
  const password = randomBytes(24).toString('base64url');
  const calls = dynamoCalls();
  try {
    return await withLocalStack(
      {
        DEFAULT_OWNER_EMAIL: OWNER_EMAIL,
        DEFAULT_OWNER_PASSWORD: password,
        LOG_LEVEL: 'silent',
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      },
      (stack) => measureGrowth(stack, password, calls),
    );
  } finally {
    calls.stop();
  }
};

/** Seeds the smaller size, measures, grows to the larger one, measures again. */
const measureGrowth = async (
  stack: LocalStack,
  password: string,
  calls: ReturnType<typeof dynamoCalls>,
): Promise<Figure[]> => {
  const { storeFromEnv } = await import('../src/http/composition');
  const store = storeFromEnv(process.env);
  const epoch = Date.UTC(2025, 0, 1);
  const [smallSize, largeSize] = SIZES;

  const first = await seedUsers(store, {
    from: 0,
    to: smallSize,
    epoch,
    deadline: Number.POSITIVE_INFINITY,
  });
  print(
    `Seeded ${formatCount(first.reached)} users through store.createUser in ${first.seconds.toFixed(1)} s (${formatCount(first.reached / first.seconds)}/s, ${SEED_CONCURRENCY} in flight).`,
  );
  const small = await measureAt(
    stack.url,
    await signIn(stack.url, password),
    first.reached + 1,
    calls,
  );

  print();
  print(`Growing to ${formatCount(largeSize)} users (a few minutes)...`);
  const grown = await seedUsers(store, {
    from: first.reached,
    to: largeSize,
    epoch,
    deadline: performance.now() + SEED_BUDGET_MS,
  });
  const added = grown.reached - first.reached;
  const rate = added / grown.seconds;
  print(
    `Seeded ${formatCount(added)} more users in ${grown.seconds.toFixed(1)} s (${formatCount(rate)}/s, ${SEED_CONCURRENCY} in flight, each one TransactWriteItems of 6 items)${grown.reached < largeSize ? `: the ${SEED_BUDGET_MS / 1000} s budget ran out at ${formatCount(grown.reached)} of ${formatCount(largeSize)}` : ''}.`,
  );
  const large = await measureAt(
    stack.url,
    await signIn(stack.url, password),
    grown.reached + 1,
    calls,
  );

  return [
    ...report(small, large),
    {
      name: 'Seeding rate, store.createUser on DynamoDB Local',
      value: `${formatCount(rate)} users/s (${formatCount(grown.reached)} of ${formatCount(largeSize)} reached)`,
      target: '-',
      meets: null,
    },
  ];
};

runIfMain(import.meta.url, benchUsersList);
