import { describe, expect, it } from 'vitest';
import { RouteNotServed, routeOf } from '../../../../src/http/middleware/route';
import { httpEvent, pipelineRequest, routeFor, run } from '../../../support/pipeline';

describe('routeOf', () => {
  const me = routeFor('GET /me');
  const middleware = routeOf(new Map([['GET /me', me]]));

  it('finds the route table’s entry by the route key', async () => {
    const { internal } = await run(middleware.before, pipelineRequest(httpEvent('GET /me')));
    expect(internal.route).toBe(me);
  });

  it('refuses a route key the function does not serve, naming the method and path', async () => {
    const request = pipelineRequest(httpEvent('GET /nowhere'));
    const refusal = await run(middleware.before, request).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(RouteNotServed);
    expect(refusal).toMatchObject({ method: 'GET', path: '/nowhere' });
  });
});
