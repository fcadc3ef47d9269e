import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../src/core/audit/audit';
import { csvRecords, unguarded } from '../support/audit-csv';
import { writeAuditEvents } from '../support/audit-events';
import { OWNER, useBrowser } from './support/browser';
import { expectFitsEveryWidth } from './support/page-quality';

/** The audit log in Chromium, in India's time zone (+05:30, no daylight saving). */
const ZONE = 'Asia/Kolkata';
const { tab, call, signIn } = useBrowser({ RATE_LIMIT_PER_IP: '0' }, { timezoneId: ZONE });

const LONG_EMAIL = `${'a-very-long-mailbox-name-'.repeat(4)}end@${'subdomain-'.repeat(6)}example.test`;
const LONG_AGENT =
  `Mozilla/5.0 ${'(X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0 '.repeat(6)}`.slice(
    0,
    400,
  );

/** Events with the longest values a reader meets: a long email, a 400-character agent, many keys. */
const seed = async () => {
  const owner = await signIn(OWNER.email, OWNER.password);
  const made = await call('POST', '/users', {
    token: owner,
    json: { email: LONG_EMAIL, role: 'viewer', password: 'a long-named viewer passphrase' },
  });
  expect(made.status, made.text).toBe(201);
  const signedIn = await call('POST', '/auth/sign-in', {
    json: { login: LONG_EMAIL, password: 'a long-named viewer passphrase' },
    headers: { 'user-agent': LONG_AGENT },
  });
  expect(signedIn.status, signedIn.text).toBe(200);
  const many: AuditEvent = {
    id: 'many-keys-event',
    at: '2026-12-07T01:02:03.000Z',
    actor_id: made.body.user.id,
    actor_token_id: null,
    action: 'sso.account_create',
    target_id: made.body.user.id,
    ip: '2001:db8:85a3:0000:0000:8a2e:0370:7334',
    user_agent: LONG_AGENT,
    outcome: 'failure',
    detail: Object.fromEntries([
      ...Array.from({ length: 12 }, (_, i) => [
        `extra_key_number_${i}`,
        `value-${'v'.repeat(i * 8)}`,
      ]),
      ['provider', 'corporate-identity-provider'],
      ['subject', `subject-${'s'.repeat(120)}`],
      ['groups', 'engineering platform-team security-reviewers on-call-primary'],
      ['takeover', false],
      ['expires_at', '2026-12-08T10:00:00.000Z'],
      ['unbroken', 'x'.repeat(300)],
    ]),
  };
  await writeAuditEvents([many]);
  return { owner, viewerId: made.body.user.id as string };
};

let seeded: ReturnType<typeof seed> | undefined;
/** The events once per file (the long-named user can be made once). */
const seedOnce = () => {
  seeded ??= seed();
  return seeded;
};

const localText = (iso: string) =>
  new Intl.DateTimeFormat('en-GB', {
    timeZone: ZONE,
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hour12: false,
  }).format(new Date(iso));

describe('the audit log in a browser', () => {
  it('fits every width with long values, and shows times in the viewer’s zone with UTC on hover', async () => {
    await seedOnce();
    const current = tab();
    await current.signInAsOwner();
    await expectFitsEveryWidth(current, '/console/audit', 'audit');
    await current.page.setViewportSize({ width: 1280, height: 900 });
    await current.visit('/console/audit?action=sso.account_create', 'many-keys');
    const time = current.page.locator('td time').first();
    expect(await time.getAttribute('datetime')).toBe('2026-12-07T01:02:03.000Z');
    expect(await time.getAttribute('title')).toBe('2026-12-07 01:02:03 UTC');
    // 01:02:03 UTC is 06:32:03 in India, on one line.
    expect(await time.textContent()).toBe(localText('2026-12-07T01:02:03.000Z'));
    expect(await time.textContent()).toBe('7 Dec 2026, 06:32:03');
    const box = await time.boundingBox();
    const lineHeight = await current.page.evaluate<number>(
      "parseFloat(getComputedStyle(document.querySelector('td time')).lineHeight) || 20",
    );
    expect(box?.height ?? 0).toBeLessThan(1.6 * Number(lineHeight));
    // The long agent is cut on screen, whole in its title, and whole when focused.
    const agent = current.page.locator('dd .clip', { hasText: 'Firefox' }).first();
    expect(await agent.getAttribute('title')).toBe(LONG_AGENT);
    const cut = await agent.boundingBox();
    await agent.focus();
    await current.snap('agent-focused');
    const whole = await agent.boundingBox();
    expect(whole?.height ?? 0).toBeGreaterThan(cut?.height ?? 0);
    await expectFitsEveryWidth(current, '/console/audit?action=sso.account_create', 'many-keys');
  });

  it('filters by keyboard alone, in the viewer’s zone, and shows the filters again', async () => {
    const { viewerId } = await seedOnce();
    const current = tab();
    const { page } = current;
    await current.signInAsOwner();
    await current.visit('/console/audit', 'filters');
    // From the top of the page, Tab alone reaches the filters, in the form's order.
    for (let i = 0; i < 40; i++) {
      if ((await page.evaluate<string>('document.activeElement.id')) === 'field-action') break;
      await page.keyboard.press('Tab');
    }
    // A date-time field takes a Tab per part (day, month, year, hour, minute): one stop here.
    const order: string[] = [];
    for (let i = 0; i < 30 && order.at(-1) !== 'Clear'; i++) {
      const id = await page.evaluate<string>(
        'document.activeElement.id || document.activeElement.textContent',
      );
      if (order.at(-1) !== id) order.push(id);
      await page.keyboard.press('Tab');
    }
    expect(order).toEqual([
      'field-action',
      'field-actor_id',
      'field-target_id',
      'field-outcome',
      'field-since',
      'field-until',
      'Filter',
      'Clear',
    ]);
    await page.locator('#field-action').focus();
    await page.keyboard.type('Signed i');
    await page.keyboard.press('Tab');
    await page.keyboard.type(LONG_EMAIL);
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    await page.keyboard.type('Success');
    await page.keyboard.press('Tab');
    // Since 1 Dec 2026 00:00 in India (the picker's segments differ per locale: filled).
    await page.locator('#field-since').fill('2026-12-01T00:00');
    await page.locator('#field-since').focus();
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/console\/audit\?/);
    await current.snap('filtered');
    const url = new URL(page.url());
    expect(url.searchParams.get('action')).toBe('auth.sign_in');
    expect(url.searchParams.get('actor_id')).toBe(LONG_EMAIL);
    expect(url.searchParams.get('outcome')).toBe('success');
    expect(url.searchParams.get('since')).toBe('2026-12-01T00:00');
    expect(url.searchParams.get('tz')).toBe('330');
    const rows = page.locator('table.audit-table tbody tr');
    expect(await rows.count()).toBe(1);
    await expect(
      rows.first().locator('a', { hasText: LONG_EMAIL }).first().getAttribute('href'),
    ).resolves.toBe(`/console/users/${viewerId}`);
    expect(await page.locator('#field-actor_id').inputValue()).toBe(LONG_EMAIL);
    expect(await page.locator('#field-since').inputValue()).toBe('2026-12-01T00:00');
    // A link made in UTC (tz=0) shows its times in this zone, and sends this zone's offset.
    await current.visit('/console/audit?since=2026-12-01T00:00&tz=0', 'utc-link');
    expect(await page.locator('#field-since').inputValue()).toBe('2026-12-01T05:30');
    expect(await page.locator('input[name="tz"]').inputValue()).toBe('330');
  });

  it('downloads the filtered events as CSV that parses back to GET /audit’s events', async () => {
    const { owner } = await seedOnce();
    const current = tab();
    const { page } = current;
    await current.signInAsOwner();
    await current.visit('/console/audit?outcome=success&action=auth.sign_in', 'export');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Download CSV' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^gatehouse-audit-\d{8}T\d{6}Z\.csv$/);
    const text = await readFile((await download.path()) as string, 'utf8');
    const listed = await call('GET', '/audit?action=auth.sign_in&limit=200', { token: owner });
    const expected = (listed.body.events as AuditEvent[]).filter((e) => e.outcome === 'success');
    expect(expected.length).toBeGreaterThan(1);
    const rows = csvRecords(text);
    expect(rows.map((r) => r.id)).toEqual(expected.map((e) => e.id));
    expect(rows.map((r) => unguarded(r.user_agent ?? ''))).toEqual(
      expected.map((e) => e.user_agent ?? ''),
    );
    expect(rows.map((r) => JSON.parse(r.detail ?? ''))).toEqual(expected.map((e) => e.detail));
  });
});
