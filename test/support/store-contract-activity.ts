import { describe, expect, it } from 'vitest';
import type { ActivityWindow } from '../../src/core/activity/metrics';
import type { Store } from '../../src/core/shared/store';

const EXPIRES = Date.UTC(2030, 0, 1);
const hour = (start: string): ActivityWindow => ({
  granularity: 'hour',
  start,
  expiresAt: EXPIRES,
});
const day = (start: string): ActivityWindow => ({ granularity: 'day', start, expiresAt: EXPIRES });

/** Store.addActivity / readActivity: atomic adds per window, read back summed by window. */
export const activityContract = (fresh: () => Promise<Store>) => {
  describe('activity counters', () => {
    it('adds to each window given and reads windows back by range, per granularity', async () => {
      const store = await fresh();
      await store.addActivity([hour('2026-03-01T10'), day('2026-03-01')], { sign_ins: 2 });
      await store.addActivity([hour('2026-03-01T10')], { sign_ins: 1, failed_sign_ins: 3 });
      await store.addActivity([hour('2026-03-01T11'), day('2026-03-02')], { token_uses: 7 });
      await store.addActivity([hour('2026-03-01T12')], { lockouts: 1 });

      const hours = await store.readActivity('hour', '2026-03-01T10', '2026-03-01T11');
      expect(Object.fromEntries(hours)).toEqual({
        '2026-03-01T10': { sign_ins: 3, failed_sign_ins: 3 },
        '2026-03-01T11': { token_uses: 7 },
      });
      const days = await store.readActivity('day', '2026-02-01', '2026-03-31');
      expect(Object.fromEntries(days)).toEqual({
        '2026-03-01': { sign_ins: 2 },
        '2026-03-02': { token_uses: 7 },
      });
      expect((await store.readActivity('day', '2026-04-01', '2026-04-30')).size).toBe(0);
    });

    it('loses no increment of many concurrent ones on one window', async () => {
      const store = await fresh();
      const window = [hour('2026-03-05T00'), day('2026-03-05')];
      await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          store.addActivity(window, { sign_ins: 1, ...(i % 2 ? { new_users: 2 } : {}) }),
        ),
      );
      const hours = await store.readActivity('hour', '2026-03-05T00', '2026-03-05T00');
      expect(hours.get('2026-03-05T00')).toEqual({ sign_ins: 50, new_users: 50 });
      const days = await store.readActivity('day', '2026-03-05', '2026-03-05');
      expect(days.get('2026-03-05')).toEqual({ sign_ins: 50, new_users: 50 });
    });
  });
};
