import { describe, expect, it } from 'vitest';
import { noRequest } from '../../../src/core/audit/audit';
import { issueClientToken } from '../../../src/core/oauth/client-credentials';
import { userInfoAction } from '../../../src/http/actions/userinfo';
import { testDeps } from '../../support/core-deps';
import { storedClient, verifyWithDeps } from '../../support/oauth-fixtures';
import { actionRequest } from '../../support/pipeline';
import { aUser } from '../../support/users';

/**
 * Red team 14 (low): client_credentials may be granted `openid email profile` (grantScopes adds
 * the OpenID scopes), and its token has a session, so /oauth/userinfo answers a machine's
 * token with the service account's claims as if an end user had signed in. No end user, no
 * OpenID authorization: the grant should not get `openid`, or userinfo should refuse it.
 */
describe('userinfo and a client_credentials token', () => {
  it('is refused', async () => {
    const deps = testDeps();
    const service = aUser({ role: 'editor', type: 'machine' });
    await deps.store.createUser(service);
    const client = await storedClient(deps, {
      confidential: true,
      grantTypes: ['client_credentials'],
      serviceUserId: service.id,
    });
    const token = await issueClientToken(deps, client, 'openid email profile', noRequest);
    expect(token.scope.split(' ')).toContain('openid');
    const claims = await verifyWithDeps(deps)(token.access_token);
    const request = actionRequest(deps, undefined, {
      principal: {
        userId: claims.sub,
        actingAsDefaultOwner: false,
        role: claims.role,
        scopes: claims.scope.split(' '),
        sid: claims.sid as string,
        jti: claims.jti,
        clientId: client.clientId,
      },
      shareWith: () => {},
    });
    const answer = await userInfoAction(request).then(
      (r) => r.statusCode,
      () => 401,
    );
    expect(answer).not.toBe(200);
  });
});
