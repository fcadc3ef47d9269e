import { describe, expect, it } from 'vitest';
import { noRequest } from '../../../../src/core/audit/audit';
import { GRANT_TYPES } from '../../../../src/core/oauth/clients';
import { tokenAction } from '../../../../src/http/actions/oauth-token';
import { grantHandlers } from '../../../../src/http/actions/token-grants';
import type { ActionRequest } from '../../../../src/http/handler';
import { OAuthProtocolError } from '../../../../src/http/oauth-errors';
import { testDeps } from '../../../support/core-deps';

const tokenRequest = (body: Record<string, string>, shared: string[][]): ActionRequest => ({
  deps: testDeps({ ALLOWED_REDIRECT_ORIGINS: 'https://spa.example.com' }),
  body,
  principal: null,
  pathParameters: {},
  query: {},
  authorization: null,
  cookies: {},
  origin: 'https://spa.example.com',
  meta: noRequest,
  shareWith: (origins) => {
    shared.push(origins);
  },
});

describe('the token endpoint', () => {
  it('has one grant handler per grant type', () => {
    expect(Object.keys(grantHandlers).sort()).toEqual([...GRANT_TYPES].sort());
  });

  it('refuses an unknown grant type as unsupported_grant_type', async () => {
    const refusal = await tokenAction(tokenRequest({ grant_type: 'magic' }, [])).catch(
      (error: unknown) => error,
    );
    expect(refusal).toBeInstanceOf(OAuthProtocolError);
    expect(refusal).toMatchObject({ error: 'unsupported_grant_type', status: 400 });
  });

  it('shares its answer, a refusal included, with the allowed origins before anything can fail', async () => {
    const shared: string[][] = [];
    await tokenAction(tokenRequest({ grant_type: 'password', client_id: 'unknown' }, shared)).catch(
      () => undefined,
    );
    expect(shared).toEqual([['https://spa.example.com']]);
  });

  it('answers a scope refusal as invalid_scope', async () => {
    const refusal = await tokenAction(
      tokenRequest({ grant_type: 'refresh_token', refresh_token: 'x', scope: 'a"b' }, []),
    ).catch((error: unknown) => error);
    expect(refusal).toMatchObject({ error: 'invalid_scope' });
  });
});
