import { describe, expect, it } from 'vitest';
import { scope } from '../../../../src/http/middleware/scope';
import type { Principal } from '../../../../src/http/principal';
import { httpEvent, pipelineRequest, routeFor, run } from '../../../support/pipeline';

const caller = (scopes: string[]): Principal => ({
  userId: 'u1',
  actingAsDefaultOwner: false,
  role: 'admin',
  scopes,
  sid: 's1',
  jti: 'j1',
  clientId: '',
});

const listUsers = (principal: Principal | null) =>
  pipelineRequest(httpEvent('GET /users'), { route: routeFor('GET /users'), principal });

describe('scope', () => {
  it('lets a principal whose token carries the route’s scope through', async () => {
    await run(scope().before, listUsers(caller(['users:read'])));
  });

  it('refuses one without it as forbidden, naming the scope', async () => {
    await expect(run(scope().before, listUsers(caller(['profile:read'])))).rejects.toMatchObject({
      code: 'forbidden',
      message: 'This needs the users:read scope.',
    });
    await expect(run(scope().before, listUsers(null))).rejects.toMatchObject({ code: 'forbidden' });
  });

  it('asks nothing of a route that names no scope', async () => {
    const request = pipelineRequest(httpEvent('POST /auth/sign-in'), {
      route: routeFor('POST /auth/sign-in'),
      principal: null,
    });
    await run(scope().before, request);
  });
});
