/**
 * A page view of the activity dashboard (GET /console/activity's action: the counters' reads and
 * the rendering) at 1,000 users / 10,000 audit events and at 100,000 users / 1,000,000 audit
 * events, in one run on one DynamoDB Local: its DynamoDB calls, items and read units (every
 * request sent with ReturnConsumedCapacity) and its p50, as a ratio. Seeding writes the real
 * item shapes straight with BatchWriteItem, in parallel, with progress.
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { startDynamoDbLocal } from '../dev/dynamodb-local';
import { ACTIVITY_METRICS } from '../src/core/activity/metrics';
import { windowsOf } from '../src/core/activity/windows';
import type { AuditEvent } from '../src/core/audit/audit';
import { systemClock } from '../src/core/shared/clock';
import { loadConfig } from '../src/core/shared/config';
import type { CoreDeps } from '../src/core/shared/deps';
import { newId } from '../src/core/shared/ids';
import type { SessionRecord } from '../src/core/shared/store';
import { defaultScopeCatalog } from '../src/core/users/roles';
import type { UserRecord } from '../src/core/users/users';
import { ACTIVITY_SHARDS, activityIncrement } from '../src/store/activity-items';
import { createTables } from '../src/store/create-tables';
import { auditItem } from '../src/store/dynamo-audit';
import { createDocumentClient, createDynamoClient } from '../src/store/dynamo-client';
import { endpointClientConfig, type TableNames } from '../src/store/dynamo-settings';
import { createDynamoStore } from '../src/store/dynamo-store';
import { creationSortKey, keys } from '../src/store/schema';
import { activityPage } from '../src/web/pages/console-activity/activity-page';
import { type Figure, heading, markdownTable, print, runIfMain } from './lib/report';
import { formatMs, formatRatio, quantile } from './lib/stats';

const SIZES = [
  { users: 1_000, events: 10_000 },
  { users: 100_000, events: Number(process.env.BENCH_DASHBOARD_EVENTS ?? 1_000_000) },
] as const;
const BATCH = 25;
const CONCURRENCY = 24;
const SAMPLES = 40;
const WARMUP = 10;
const FLAT_TARGET = 1.5;
const DAY_MS = 86_400_000;

/** A user item as the users table holds it (dynamo-users.ts: keys, record, sparse index keys). */
const userItem = (i: number, epoch: number) => {
  const id = newId();
  const createdAt = epoch + i;
  const user: UserRecord = {
    id,
    email: `user-${i}@example.com`,
    emailKey: `user-${i}@example.com`,
    username: `user${i}`,
    usernameKey: `user${i}`,
    name: `User ${i}`,
    role: 'viewer',
    status: 'active',
    type: 'human',
    groups: [],
    attributes: {},
    passwordHash: null,
    passwordSetBy: null,
    emailVerified: true,
    emailSetBy: 'admin',
    identities: [],
    createdAt,
    updatedAt: createdAt,
    lastSignInAt: null,
  };
  return {
    ...keys.user(id),
    ...user,
    listPk: 'USERS',
    listSk: creationSortKey(createdAt, id),
    rolePk: 'ROLE#viewer',
    statusPk: 'STATUS#active',
    roleStatusPk: 'ROLESTATUS#viewer#active',
  };
};

const ACTIONS = ['auth.sign_in', 'auth.sign_in', 'auth.sign_in', 'user.update', 'token.create'];

/** An audit event item (dynamo-audit.ts auditItem), spread over the last 40 days. */
const eventItem = (i: number, now: number) => {
  const at = now - ((i * 7919) % (40 * DAY_MS));
  const event: AuditEvent = {
    id: newId(),
    at: new Date(at).toISOString(),
    actor_id: `usr_${i % 1000}`,
    actor_token_id: null,
    action: ACTIONS[i % ACTIONS.length] as string,
    target_id: `usr_${i % 1000}`,
    ip: '198.51.100.7',
    user_agent: 'Mozilla/5.0 (bench)',
    outcome: i % 4 === 0 ? 'failure' : 'success',
    detail: { method: 'password' },
  };
  return auditItem(event, now + 90 * DAY_MS);
};

/** Every counter item the windows of the last 30 days and 24 hours can have, all shards. */
const counterItems = (now: number) => {
  const items: Record<string, unknown>[] = [];
  for (let h = 0; h < 48; h++) {
    for (let shard = 0; shard < ACTIVITY_SHARDS; shard++) {
      const [hour] = windowsOf(now - h * 3_600_000);
      if (hour) items.push(counterItem(hour, shard));
    }
  }
  for (let d = 0; d < 32; d++) {
    for (let shard = 0; shard < ACTIVITY_SHARDS; shard++) {
      const [, day] = windowsOf(now - d * DAY_MS);
      if (day) items.push(counterItem(day, shard));
    }
  }
  return items;
};

const counterItem = (window: ReturnType<typeof windowsOf>[number], shard: number) => {
  const update = activityIncrement(
    window,
    Object.fromEntries(ACTIVITY_METRICS.map((m) => [m, 1])),
    shard,
  );
  return {
    ...update.Key,
    ttl: update.ExpressionAttributeValues[':ttl'],
    ...Object.fromEntries(ACTIVITY_METRICS.map((metric, i) => [metric, 1000 + i])),
  };
};

const seed = async (
  db: ReturnType<typeof createDocumentClient>,
  table: string,
  count: number,
  make: (i: number) => Record<string, unknown>,
  label: string,
) => {
  const started = Date.now();
  let next = 0;
  let done = 0;
  let reported = 0;
  const worker = async () => {
    while (next < count) {
      const from = next;
      const to = Math.min(count, from + BATCH);
      next = to;
      let pending = Array.from({ length: to - from }, (_, k) => ({
        PutRequest: { Item: make(from + k) },
      }));
      while (pending.length > 0) {
        const answer = await db.send(new BatchWriteCommand({ RequestItems: { [table]: pending } }));
        pending = (answer.UnprocessedItems?.[table] ?? []) as typeof pending;
      }
      done += to - from;
      if (done - reported >= count / 10) {
        reported = done;
        const rate = done / ((Date.now() - started) / 1000);
        process.stderr.write(
          `  ${label}: ${done.toLocaleString('en-US')} / ${count.toLocaleString('en-US')} (${Math.round(rate)}/s)\n`,
        );
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return (Date.now() - started) / 1000;
};

interface Reads {
  calls: number;
  items: number;
  units: number;
}

/** Every request of this client is sent with ReturnConsumedCapacity and its answer tallied. */
const metered = (client: ReturnType<typeof createDynamoClient>) => {
  const reads: Reads = { calls: 0, items: 0, units: 0 };
  client.middlewareStack.add(
    (next) => async (args) => {
      const input = args.input as Record<string, unknown>;
      input.ReturnConsumedCapacity = 'TOTAL';
      const result = await next(args);
      const output = result.output as {
        Count?: number;
        ConsumedCapacity?: { CapacityUnits?: number };
      };
      reads.calls++;
      reads.items += output.Count ?? 0;
      reads.units += output.ConsumedCapacity?.CapacityUnits ?? 0;
      return result;
    },
    { step: 'initialize', name: 'benchConsumedCapacity' },
  );
  return reads;
};

const section = async (): Promise<Figure[]> => {
  heading('Activity dashboard: one page view at 1,000 and 100,000 users');
  const local = await startDynamoDbLocal();
  const rows: { users: number; events: number; p50: number; reads: Reads; seeded: number }[] = [];
  try {
    for (const size of SIZES) {
      const prefix = `dash${randomUUID().slice(0, 6)}`;
      const names: TableNames = {
        users: `${prefix}-Users`,
        tokens: `${prefix}-Tokens`,
        audit: `${prefix}-Audit`,
      };
      // Seeding alone skips the service's time budget (a loaded DynamoDB Local is slow to answer).
      const seeding = new DynamoDBClient({
        ...endpointClientConfig({ endpoint: local.endpoint }),
        maxAttempts: 10,
      });
      await createTables(seeding, names);
      const seedDb = createDocumentClient(seeding);
      const now = Date.now();
      const userSeconds = await seed(
        seedDb,
        names.users,
        size.users,
        (i) => userItem(i, now - 90 * DAY_MS),
        'users',
      );
      const eventSeconds = await seed(
        seedDb,
        names.audit,
        size.events,
        (i) => eventItem(i, now),
        'audit events',
      );
      const counters = counterItems(now);
      await seed(
        seedDb,
        names.audit,
        counters.length,
        (i) => counters[i] as Record<string, unknown>,
        'counters',
      );
      seeding.destroy();

      const client = createDynamoClient({ endpoint: local.endpoint });
      const reads = metered(client);
      const deps = {
        store: createDynamoStore(createDocumentClient(client), names),
        clock: systemClock,
        config: loadConfig({ ISSUER_URL: 'https://auth.example.com' }),
        scopes: defaultScopeCatalog,
      } as unknown as CoreDeps;
      const admin = { id: 'usr_admin', role: 'admin', status: 'active' } as UserRecord;
      const request = {
        deps,
        method: 'GET',
        path: '/console/activity',
        params: {},
        query: new URLSearchParams(),
        form: new URLSearchParams(),
        signedIn: { user: admin, session: { sid: 's1', userId: admin.id } as SessionRecord },
        csrf: 'x',
        meta: { ip: null, userAgent: null },
        secure: true,
        setCookies: [],
      } as unknown as Parameters<typeof activityPage>[0];
      const view = async () => {
        const answer = await activityPage(request);
        if (answer.statusCode !== 200) throw new Error(`page view: ${answer.statusCode}`);
      };
      for (let i = 0; i < WARMUP; i++) await view();
      const times: number[] = [];
      const before = { ...reads };
      for (let i = 0; i < SAMPLES; i++) {
        const started = performance.now();
        await view();
        times.push(performance.now() - started);
      }
      const perView: Reads = {
        calls: (reads.calls - before.calls) / SAMPLES,
        items: (reads.items - before.items) / SAMPLES,
        units: (reads.units - before.units) / SAMPLES,
      };
      client.destroy();
      rows.push({
        ...size,
        p50: quantile(times, 0.5),
        reads: perView,
        seeded: userSeconds + eventSeconds,
      });
    }
  } finally {
    await local.stop();
  }
  print(
    markdownTable(
      [
        'Users',
        'Audit events',
        'DynamoDB calls / view',
        'Items read / view',
        'Read units / view',
        'p50',
        'Seeded in',
      ],
      rows.map((row) => [
        row.users.toLocaleString('en-US'),
        row.events.toLocaleString('en-US'),
        String(row.reads.calls),
        String(row.reads.items),
        String(row.reads.units),
        formatMs(row.p50),
        `${Math.round(row.seeded)} s`,
      ]),
    ),
  );
  const [small, large] = rows;
  if (!small || !large) throw new Error('both sizes must run');
  const ratio = large.p50 / small.p50;
  return [
    {
      name: `Page view p50, ${large.users.toLocaleString('en-US')} users / ${large.events.toLocaleString('en-US')} events over ${small.users.toLocaleString('en-US')} / ${small.events.toLocaleString('en-US')}`,
      value: `${formatRatio(ratio)} (${formatMs(small.p50)} -> ${formatMs(large.p50)})`,
      target: `<= ${FLAT_TARGET}x`,
      meets: ratio <= FLAT_TARGET,
    },
    {
      name: 'DynamoDB reads per view (calls, items, read units), both sizes',
      value: `${small.reads.calls}/${small.reads.items}/${small.reads.units} -> ${large.reads.calls}/${large.reads.items}/${large.reads.units}`,
      target: 'the same',
      meets:
        small.reads.calls === large.reads.calls &&
        small.reads.items === large.reads.items &&
        small.reads.units === large.reads.units,
    },
  ];
};

runIfMain(import.meta.url, section);
export default section;
