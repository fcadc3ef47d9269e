import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { ACTIVITY_METRICS, type ActivityMetric } from '../../src/core/activity/metrics';
import type { CoreDeps } from '../../src/core/shared/deps';
import type { UserRecord } from '../../src/core/users/users';
import { buildDeps } from '../../src/http/composition';
import { browserFlow } from '../support/browser-flow';
import { useLocalStack } from '../support/local-stack';
import { confirmedTotp } from '../support/mfa-fixtures';

/**
 * The activity dashboard over HTTP on DynamoDB Local: real sign-ins (right, wrong until a lock),
 * users created, an MFA challenge and API token calls through the example API, then each number
 * of the page checked against what this test did.
 */
const OWNER = { email: 'owner@activity.test', password: 'activity owner passphrase' };
const PASSWORD = 'an activity member passphrase';

const { call, signIn, stack } = useLocalStack({
  DEFAULT_OWNER_EMAIL: OWNER.email,
  DEFAULT_OWNER_PASSWORD: OWNER.password,
  LOCKOUT_THRESHOLD: '3',
  LOCKOUT_BASE_SECONDS: '60',
  RATE_LIMIT_PER_IP: '0',
});

let ownerToken: string;
let deps: CoreDeps;
const browser = browserFlow(() => stack().url);

/** The page's "last 24 hours" row: each metric's number. */
const dashboard = async () => {
  const page = await browser.request('GET', '/console/activity');
  expect(page.status, page.text).toBe(200);
  const totals = Object.fromEntries(
    ACTIVITY_METRICS.map((metric) => [
      metric,
      Number(new RegExp(`<dd data-metric="${metric}">(\\d+)</dd>`).exec(page.text)?.[1]),
    ]),
  ) as Record<ActivityMetric, number>;
  return { totals, text: page.text };
};

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/** The totals once counts started by earlier requests (never awaited by them) have landed. */
const settledTotals = async () => {
  let last = (await dashboard()).totals;
  for (let tries = 0; tries < 20; tries++) {
    await sleep(100);
    const now = (await dashboard()).totals;
    if (JSON.stringify(now) === JSON.stringify(last)) return now;
    last = now;
  }
  return last;
};

const newMember = async (role = 'viewer') => {
  const email = `m${randomUUID().slice(0, 8)}@activity.test`;
  const reply = await call('POST', '/users', {
    token: ownerToken,
    json: { email, role, password: PASSWORD },
  });
  expect(reply.status, reply.text).toBe(201);
  return { email, id: reply.body.user.id as string };
};

const signInStatus = async (login: string, password: string) =>
  (await call('POST', '/auth/sign-in', { json: { login, password } })).status;

beforeAll(async () => {
  ownerToken = await signIn(OWNER.email, OWNER.password);
  deps = buildDeps(process.env);
  await browser.signIn(OWNER.email, OWNER.password);
});

describe('the activity dashboard', () => {
  it('counts what happened, each number as this test made it', async () => {
    const before = await settledTotals();

    const right = await newMember();
    const locked = await newMember();
    const withFactor = await newMember();
    await confirmedTotp(deps, (await deps.store.getUser(withFactor.id)) as UserRecord);

    expect(await signInStatus(right.email, PASSWORD)).toBe(200);
    for (let i = 0; i < 3; i++) expect(await signInStatus(locked.email, 'wrong!')).toBe(401);
    // Locked: refused, a failure, but no new lock.
    expect(await signInStatus(locked.email, 'wrong!')).toBe(429);
    expect(await signInStatus(withFactor.email, PASSWORD)).toBe(403);

    const created = await call('POST', '/tokens', {
      token: await signIn(right.email, PASSWORD),
      json: { name: 'activity' },
    });
    expect(created.status, created.text).toBe(201);
    for (let i = 0; i < 3; i++) {
      const used = await call('GET', '/example/sessions', { token: created.body.token });
      expect(used.status, used.text).toBe(200);
    }
    // Counts land after their answers: the sign-ins' within milliseconds, token uses when the
    // authorizer flushes its in-memory count (every second locally). Read until they are in.
    const deltaOf = (totals: Record<ActivityMetric, number>) =>
      Object.fromEntries(
        ACTIVITY_METRICS.map((metric) => [metric, totals[metric] - before[metric]]),
      );
    await expect
      .poll(async () => deltaOf((await dashboard()).totals), { timeout: 10_000, interval: 200 })
      .toEqual({
        // `right` twice (the second to make the token).
        sign_ins: 2,
        failed_sign_ins: 4,
        lockouts: 1,
        new_users: 3,
        mfa_challenges: 1,
        token_uses: 3,
      });
    const after = await dashboard();
    expect(deltaOf(after.totals).sign_ins).toBe(2); // and no late count beyond the expected
    // The hourly tables hold the same numbers: this hour's cell, summed over the page's rows.
    const cells = (metric: string) =>
      [
        ...after.text.matchAll(
          new RegExp(
            `<td data-metric="${metric}" data-window="\\d{4}-\\d\\d-\\d\\dT\\d\\d">(\\d+)</td>`,
            'g',
          ),
        ),
      ]
        .map((m) => Number(m[1]))
        .reduce((sum, n) => sum + n, 0);
    for (const metric of ACTIVITY_METRICS) expect(cells(metric), metric).toBe(after.totals[metric]);
  });

  it('shows a viewer no dashboard', async () => {
    const member = await newMember();
    const viewer = browserFlow(() => stack().url);
    await viewer.signIn(member.email, PASSWORD);
    const page = await viewer.request('GET', '/console/activity');
    expect(page.status).toBe(403);
    expect(page.text).not.toContain('activity-chart');
  });
});
