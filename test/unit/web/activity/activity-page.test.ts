import { describe, expect, it } from 'vitest';
import { windowsOf } from '../../../../src/core/activity/windows';
import type { Role } from '../../../../src/core/users/roles';
import { activityPage } from '../../../../src/web/pages/console-activity/activity-page';
import { testDeps } from '../../../support/core-deps';
import { pageRequest } from '../../../support/page-request';
import { createUserWithPassword } from '../../../support/users';

const view = async (role: Role) => {
  const deps = testDeps();
  const user = await createUserWithPassword(deps, { role });
  await deps.store.addActivity(windowsOf(deps.clock.now()), { sign_ins: 3, lockouts: 1 });
  return activityPage(pageRequest(deps, { path: '/console/activity', user }));
};

describe('the activity page', () => {
  it('shows admins and owners each metric as charts and tables, and the last 24 h', async () => {
    for (const role of ['admin', 'owner'] as const) {
      const result = await view(role);
      expect(result.statusCode).toBe(200);
      const body = String(result.body);
      expect(body.match(/<svg class="activity-chart" role="img"/g)).toHaveLength(12);
      expect(body.match(/<caption>/g)).toHaveLength(12);
      expect(body).toContain('<dd data-metric="sign_ins">3</dd>');
      expect(body).toContain('<dd data-metric="lockouts">1</dd>');
      expect(body).toContain('<dd data-metric="token_uses">0</dd>');
      expect(body).toMatch(/<td data-metric="sign_ins" data-window="2026-01-01T00">3<\/td>/);
      expect(body).toMatch(/<td data-metric="sign_ins" data-window="2026-01-01">3<\/td>/);
      expect(body).not.toMatch(/style=/);
    }
  });

  it('refuses viewers and editors', async () => {
    for (const role of ['viewer', 'editor'] as const) {
      await expect(view(role)).rejects.toMatchObject({ code: 'forbidden' });
    }
  });
});
