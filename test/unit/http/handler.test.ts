import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { accountActions } from '../../../src/http/actions/account';
import { getMe } from '../../../src/http/actions/me';
import { signInActions } from '../../../src/http/actions/sign-in';
import { createHandler } from '../../../src/http/handler';
import { testDeps } from '../../support/core-deps';
import { httpEvent } from '../../support/pipeline';
import { createUserWithPassword } from '../../support/users';

const event = httpEvent;
const context = {} as Context;
const bodyOf = (result: { body?: string }) => JSON.parse(result.body ?? 'null');

describe('createHandler', () => {
  it('refuses a set of actions that does not match the route table', () => {
    // @ts-expect-error typecheck refuses it first; this check stays for casts and plain JS
    expect(() => createHandler('account', {})).toThrow(/missing .*GET \/me/);
    // An extra key in an object built apart passes typecheck: only this check sees it.
    const withExtra = { ...accountActions, 'GET /extra': getMe };
    expect(() => createHandler('account', withExtra)).toThrow(/extra GET \/extra/);
  });

  it('fails closed: a protected route without the authorizer principal is 401', async () => {
    const handler = createHandler('account', accountActions, { deps: () => testDeps() });
    const result = await handler(event('GET /me'), context);
    expect(result.statusCode).toBe(401);
    expect(bodyOf(result)).toMatchObject({ error: { code: 'token_invalid' } });
  });

  it("answers the authorizer's refusal with its code", async () => {
    const handler = createHandler('account', accountActions, { deps: () => testDeps() });
    const refused = event('GET /me', {
      requestContext: {
        ...event('GET /me').requestContext,
        authorizer: {
          lambda: { error_code: 'token_expired', error_message: 'The access token has expired.' },
        },
      },
    });
    const result = await handler(refused, context);
    expect(result.statusCode).toBe(401);
    expect(bodyOf(result)).toEqual({
      error: { code: 'token_expired', message: 'The access token has expired.' },
    });
  });

  it('does not act as the default owner while authentication is required', async () => {
    const handler = createHandler('account', accountActions, { deps: () => testDeps() });
    const forged = event('GET /me', {
      requestContext: {
        ...event('GET /me').requestContext,
        authorizer: { lambda: { principal: 'default_owner', role: 'owner' } },
      },
    });
    expect((await handler(forged, context)).statusCode).toBe(401);
  });

  it('turns an unexpected failure into a bare 500 with nothing of the error', async () => {
    const deps = testDeps();
    // The first read a sign-in makes: the account its login names.
    deps.store.findLogin = async () => {
      throw new Error('secret internals: connection string');
    };
    const handler = createHandler('signIn', signInActions, { deps: () => deps });
    const result = await handler(
      event('POST /auth/sign-in', {
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ login: 'a@example.com', password: 'whatever password' }),
      }),
      context,
    );
    expect(result.statusCode).toBe(500);
    expect(result.body).not.toContain('secret');
    expect(bodyOf(result)).toEqual({
      error: { code: 'internal', message: 'Something went wrong on our side.' },
    });
  });

  it('reads base64-encoded bodies as API Gateway sends them', async () => {
    const deps = testDeps();
    const user = await createUserWithPassword(deps);
    const handler = createHandler('signIn', signInActions, { deps: () => deps });
    const body = Buffer.from(
      JSON.stringify({ login: user.email, password: 'correct horse battery staple' }),
    ).toString('base64');
    const result = await handler(
      event('POST /auth/sign-in', {
        headers: { 'content-type': 'application/json' },
        body,
        isBase64Encoded: true,
      }),
      context,
    );
    expect(result.statusCode).toBe(200);
  });
});
