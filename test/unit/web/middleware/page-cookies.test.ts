import { describe, expect, it } from 'vitest';
import { pageCookies } from '../../../../src/web/middleware/page-cookies';
import type { PageState } from '../../../../src/web/middleware/page-state';
import { httpEvent, pipelineRequest, run } from '../../../support/pipeline';

describe('pageCookies', () => {
  it('sets the cookies asked for after the answer’s own, on answers and on errors', async () => {
    for (const phase of ['after', 'onError'] as const) {
      const middleware = pageCookies();
      const request = await run(middleware.before, pipelineRequest<PageState>(httpEvent('GET /')));
      request.internal.setCookies?.push('csrf=1');
      request.response = { statusCode: 303, headers: {}, cookies: ['session=2'] };
      await run(middleware[phase], request);
      expect(request.response.cookies).toEqual(['session=2', 'csrf=1']);
    }
  });

  it('adds no cookies field when there is nothing to set', async () => {
    const middleware = pageCookies();
    const request = await run(middleware.before, pipelineRequest<PageState>(httpEvent('GET /')));
    request.response = { statusCode: 200, headers: {} };
    await run(middleware.after, request);
    expect(request.response).not.toHaveProperty('cookies');
  });
});
