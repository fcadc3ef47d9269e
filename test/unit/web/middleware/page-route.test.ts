import { describe, expect, it } from 'vitest';
import { pageRoute } from '../../../../src/web/middleware/page-route';
import type { PageState } from '../../../../src/web/middleware/page-state';
import { httpEvent, pipelineRequest, run } from '../../../support/pipeline';

const table = [
  { method: 'GET', path: '/console/users/{id}' },
  { method: 'GET', path: '/console' },
] as const;

const to = (key: string) => pipelineRequest<PageState>(httpEvent(key));

describe('pageRoute', () => {
  it('finds the page and its path parameters', async () => {
    const middleware = pageRoute(table, () => true);
    const { internal } = await run(middleware.before, to('GET /console/users/u%201'));
    expect(internal.page).toEqual({ routeKey: 'GET /console/users/{id}', params: { id: 'u 1' } });
  });

  it('answers an unknown page, a wrong method or a page with no action as not found', async () => {
    const middleware = pageRoute(table, (key) => key !== 'GET /console');
    for (const key of ['GET /nowhere', 'POST /console/users/u1', 'GET /console']) {
      await expect(run(middleware.before, to(key))).rejects.toMatchObject({ code: 'not_found' });
    }
  });
});
