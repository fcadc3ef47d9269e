/**
 * Red team: whatever an action throws, no dialect's answer carries its message or stack, and
 * an unexpected failure is never shared cross-origin, even with the origin allowed.
 */
import { describe, expect, it } from 'vitest';
import { GatehouseError } from '../../../src/core/shared/errors';
import { createHandler } from '../../../src/http/handler';
import { createPagesHandler } from '../../../src/web/pages-handler';
import { pageRouteKey, pageRoutes } from '../../../src/web/routes';
import { testDeps } from '../../support/core-deps';
import { httpEvent } from '../../support/pipeline';

const SECRET = 'sk_live_SECRET_in_message';
const throwers = [
  () => new Error(SECRET),
  () => new GatehouseError('internal', SECRET),
  () => Object.assign(new TypeError(SECRET), { stack: `TypeError: ${SECRET}\n at x` }),
];

describe('no leak through the one error renderer', () => {
  for (const make of throwers) {
    it(`JSON and OAuth routes answer 500 without the message (${make().constructor.name})`, async () => {
      const deps = testDeps({ ALLOWED_REDIRECT_ORIGINS: 'https://app.example.com' });
      const boom = async (request: { shareWith: (o: string[]) => void }) => {
        request.shareWith(['https://app.example.com']);
        throw make();
      };
      const handler = createHandler(
        'oauth',
        {
          'POST /oauth/token': boom as never,
          'POST /oauth/introspect': boom as never,
          'POST /oauth/revoke': boom as never,
          'GET /oauth/userinfo': boom as never,
          'POST /oauth/userinfo': boom as never,
          'GET /clients': boom as never,
          'POST /clients': boom as never,
          'DELETE /clients/{client_id}': boom as never,
        },
        { deps: () => deps },
      );
      for (const key of ['POST /oauth/token', 'GET /oauth/userinfo', 'GET /clients']) {
        const answer = (await handler(
          httpEvent(key, {
            headers: {
              origin: 'https://app.example.com',
              'content-type': 'application/x-www-form-urlencoded',
            },
            body: 'grant_type=password',
            requestContext: {
              ...httpEvent(key).requestContext,
              authorizer: {
                lambda: { principal: 'user', sub: 'u', role: 'owner', scope: 'clients:read' },
              },
            },
          } as never),
          {} as never,
        )) as { statusCode: number; body: string; headers?: Record<string, string> };
        expect(answer.statusCode).toBe(500);
        expect(answer.body).not.toContain('SECRET');
        expect(answer.headers?.['access-control-allow-origin']).toBeUndefined();
      }
    });
  }

  it('pages answer 500 without the message', async () => {
    const deps = testDeps();
    const actions = Object.fromEntries(
      pageRoutes.map((r) => [
        pageRouteKey(r),
        async () => {
          throw new Error(SECRET);
        },
      ]),
    );
    const handler = createPagesHandler(actions, { deps: () => deps });
    const answer = (await handler(httpEvent('GET /sign-in'), {} as never)) as {
      statusCode: number;
      body: string;
    };
    expect(answer.statusCode).toBe(500);
    expect(answer.body).not.toContain('SECRET');
  });
});
