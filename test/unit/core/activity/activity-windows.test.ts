import { describe, expect, it } from 'vitest';
import { activityOfAuditEvent } from '../../../../src/core/activity/audit-activity';
import { activityDashboard } from '../../../../src/core/activity/dashboard';
import { recentWindows, windowsOf } from '../../../../src/core/activity/windows';
import type { AuditEvent } from '../../../../src/core/audit/audit';
import { testDeps } from '../../../support/core-deps';

const event = (over: Partial<AuditEvent>): AuditEvent => ({
  id: 'e',
  at: '2026-01-01T00:00:00.000Z',
  actor_id: null,
  actor_token_id: null,
  action: 'auth.sign_in',
  target_id: null,
  ip: null,
  user_agent: null,
  outcome: 'failure',
  detail: {},
  ...over,
});

describe('activity windows', () => {
  it('puts the last millisecond of an hour and of a day in that hour and day', () => {
    const end = Date.UTC(2026, 2, 31, 23, 59, 59, 999);
    expect(windowsOf(end).map((w) => w.start)).toEqual(['2026-03-31T23', '2026-03-31']);
    expect(windowsOf(end + 1).map((w) => w.start)).toEqual(['2026-04-01T00', '2026-04-01']);
  });

  it('keeps hourly counters about 2 days past their hour and daily ones about 32', () => {
    const [hour, day] = windowsOf(Date.UTC(2026, 0, 10, 5, 30));
    expect(hour?.expiresAt).toBe(Date.UTC(2026, 0, 10, 6) + 2 * 86_400_000);
    expect(day?.expiresAt).toBe(Date.UTC(2026, 0, 11) + 32 * 86_400_000);
  });

  it('lists the last windows oldest first, across a month and a year end', () => {
    const now = Date.UTC(2027, 0, 1, 1, 15);
    expect(recentWindows('hour', now, 3)).toEqual([
      '2026-12-31T23',
      '2027-01-01T00',
      '2027-01-01T01',
    ]);
    expect(recentWindows('day', now, 2)).toEqual(['2026-12-31', '2027-01-01']);
    expect(recentWindows('day', now, 30)).toHaveLength(30);
    expect(recentWindows('day', now, 30)[0]).toBe('2026-12-03');
  });
});

describe('what an audit event counts', () => {
  it('counts a failed sign-in, and a lockout only where the lock begins', () => {
    expect(activityOfAuditEvent(event({ detail: { reason: 'invalid_credentials' } }))).toEqual({
      failed_sign_ins: 1,
    });
    expect(
      activityOfAuditEvent(event({ detail: { reason: 'invalid_credentials', lock_seconds: 30 } })),
    ).toEqual({ failed_sign_ins: 1, lockouts: 1 });
    expect(activityOfAuditEvent(event({ detail: { reason: 'too_many_attempts' } }))).toEqual({
      failed_sign_ins: 1,
    });
  });

  it('counts no failure for a next step asked (a factor due, a link to confirm)', () => {
    expect(activityOfAuditEvent(event({ detail: { reason: 'mfa_required' } }))).toEqual({});
    expect(activityOfAuditEvent(event({ detail: { reason: 'link_confirmation_needed' } }))).toEqual(
      {},
    );
  });

  it('counts new users made by an admin, sign-up, import or a first SSO login', () => {
    expect(activityOfAuditEvent(event({ action: 'user.create', outcome: 'success' }))).toEqual({
      new_users: 1,
    });
    expect(
      activityOfAuditEvent(event({ action: 'sso.account_create', outcome: 'success' })),
    ).toEqual({ new_users: 1 });
  });

  it('counts nothing for successes (counted where sessions open) and other events', () => {
    expect(activityOfAuditEvent(event({ outcome: 'success' }))).toEqual({});
    expect(activityOfAuditEvent(event({ action: 'user.update', outcome: 'success' }))).toEqual({});
  });
});

describe('the dashboard', () => {
  it('reads 24 hourly and 30 daily windows, zeros included, and sums the hours as the last 24 h', async () => {
    const deps = testDeps();
    const now = Date.UTC(2026, 5, 15, 12, 30);
    deps.clock.advance((now - deps.clock.now()) / 1000);
    const at = (ms: number) => windowsOf(ms);
    await deps.store.addActivity(at(now), { sign_ins: 2 });
    await deps.store.addActivity(at(now - 23 * 3_600_000), { sign_ins: 1, token_uses: 5 });
    // 24 hours back: outside the hourly chart, inside the daily one.
    await deps.store.addActivity(at(now - 24 * 3_600_000), { sign_ins: 4 });
    await deps.store.addActivity(at(now - 29 * 86_400_000), { new_users: 1 });
    await deps.store.addActivity(at(now - 30 * 86_400_000), { new_users: 9 });

    const board = await activityDashboard(deps);
    expect(board.hours.windows).toHaveLength(24);
    expect(board.days.windows).toHaveLength(30);
    expect(board.hours.windows.at(-1)).toEqual({ start: '2026-06-15T12', counts: { sign_ins: 2 } });
    expect(board.hours.windows[0]).toEqual({
      start: '2026-06-14T13',
      counts: { sign_ins: 1, token_uses: 5 },
    });
    expect(board.last24h).toEqual({
      sign_ins: 3,
      failed_sign_ins: 0,
      lockouts: 0,
      new_users: 0,
      mfa_challenges: 0,
      token_uses: 5,
    });
    expect(board.days.windows.at(-1)?.counts).toEqual({ sign_ins: 2 });
    expect(board.days.windows.at(-2)?.counts).toEqual({ sign_ins: 5, token_uses: 5 });
    expect(board.days.windows[0]).toEqual({ start: '2026-05-17', counts: { new_users: 1 } });
  });
});
