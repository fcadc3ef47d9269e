import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { ACTIVITY_METRICS, type ActivityMetric } from '../../src/core/activity/metrics';
import { OWNER, useBrowser } from './support/browser';
import { expectFitsEveryWidth } from './support/page-quality';

/** The activity dashboard in chromium: its numbers against events this test makes, at every width. */
const { tab, call, signIn } = useBrowser({ LOCKOUT_THRESHOLD: '2', LOCKOUT_BASE_SECONDS: '60' });

const PASSWORD = 'a dashboard member passphrase';

/** The "last 24 hours" numbers and this hour's table cells, as the page shows them. */
const shown = async (page: Page) => {
  const totals = {} as Record<ActivityMetric, number>;
  const cells = {} as Record<ActivityMetric, number>;
  for (const metric of ACTIVITY_METRICS) {
    totals[metric] = Number(await page.locator(`dd[data-metric="${metric}"]`).textContent());
    const hourly = page.locator(`td[data-metric="${metric}"][data-window*="T"]`);
    cells[metric] = Number(await hourly.last().textContent());
  }
  return { totals, cells };
};

/** The page's numbers, read again (no screenshot): counts land after their requests' answers. */
const reread = async (page: Page) => {
  await page.goto('/console/activity');
  return shown(page);
};

/** The numbers once counts started by earlier requests (never awaited by them) have landed. */
const settled = async (page: Page) => {
  let last = await shown(page);
  for (let tries = 0; tries < 20; tries++) {
    await new Promise((done) => setTimeout(done, 100));
    const now = await reread(page);
    if (JSON.stringify(now.totals) === JSON.stringify(last.totals)) return now;
    last = now;
  }
  return last;
};

const member = async (ownerToken: string, role = 'viewer') => {
  const email = `d${randomUUID().slice(0, 8)}@dashboard.test`;
  const reply = await call('POST', '/users', {
    token: ownerToken,
    json: { email, role, password: PASSWORD },
  });
  expect(reply.status, reply.text).toBe(201);
  return email;
};

describe('the activity dashboard', () => {
  it('shows the numbers of the events the test made, and fits every width', async () => {
    const current = tab();
    await current.signInAsOwner();
    await current.visit('/console/activity', 'before');
    const before = await settled(current.page);

    const ownerToken = await signIn(OWNER.email, OWNER.password);
    const right = await member(ownerToken);
    const locked = await member(ownerToken);
    await signIn(right, PASSWORD);
    for (let i = 0; i < 2; i++) {
      const wrong = await call('POST', '/auth/sign-in', {
        json: { login: locked, password: 'no!' },
      });
      expect(wrong.status).toBe(401);
    }

    const expected = {
      sign_ins: 2,
      failed_sign_ins: 2,
      lockouts: 1,
      new_users: 2,
      mfa_challenges: 0,
      token_uses: 0,
    };
    const delta = ({ totals }: Awaited<ReturnType<typeof shown>>) =>
      Object.fromEntries(ACTIVITY_METRICS.map((m) => [m, totals[m] - before.totals[m]]));
    await expect
      .poll(async () => delta(await reread(current.page)), { timeout: 10_000, interval: 200 })
      .toEqual(expected);
    await current.visit('/console/activity', 'after');
    const after = await shown(current.page);
    for (const metric of ACTIVITY_METRICS) {
      expect(after.totals[metric] - before.totals[metric], metric).toBe(expected[metric]);
      // This hour's cell moved by the same (unless the hour turned between the two views).
      if (after.cells[metric] >= expected[metric]) {
        expect(after.cells[metric] - before.cells[metric], `${metric} this hour`).toBe(
          expected[metric],
        );
      }
    }
    const charts = current.page.getByRole('img');
    expect(await charts.count()).toBe(12);
    expect(await charts.first().getAttribute('aria-labelledby')).toBeTruthy();

    await expectFitsEveryWidth(current, '/console/activity', 'activity');
  });

  it('gives a viewer no dashboard', async () => {
    const ownerToken = await signIn(OWNER.email, OWNER.password);
    const viewer = await member(ownerToken);
    const { page, visit, snap } = tab();
    await visit('/sign-in', 'sign-in');
    await page.getByLabel('Email or username').fill(viewer);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL(/\/console$/);
    const response = await visit('/console/activity', 'viewer-refused');
    expect(response.status()).toBe(403);
    expect(await page.locator('svg.activity-chart').count()).toBe(0);
    await snap('refused');
  });
});
