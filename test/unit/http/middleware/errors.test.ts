import { afterEach, describe, expect, it, vi } from 'vitest';
import { MfaRequiredError } from '../../../../src/core/mfa/second-factor-gate';
import { GatehouseError } from '../../../../src/core/shared/errors';
import type { ErrorDialect } from '../../../../src/http/error-answer';
import { logger } from '../../../../src/http/logger';
import { errors } from '../../../../src/http/middleware/errors';
import { RouteNotServed } from '../../../../src/http/middleware/route';
import { OAuthProtocolError } from '../../../../src/http/oauth-errors';
import { Redirect, seeOther } from '../../../../src/web/page-handler';
import { httpEvent, pipelineRequest, run } from '../../../support/pipeline';

const failed = async (dialect: ErrorDialect, error: unknown) => {
  const request = pipelineRequest(httpEvent('POST /oauth/token'));
  request.error = error as Error;
  await run(errors(() => dialect).onError, request);
  const response = request.response;
  if (!response) throw new Error('no answer');
  return { ...response, json: () => JSON.parse(response.body ?? 'null') };
};

const slowDown = () => {
  const error = new GatehouseError('too_many_attempts', 'Slow down.');
  return Object.assign(error, { retryAfterSeconds: 30 });
};

describe('errors', () => {
  afterEach(() => vi.restoreAllMocks());

  it('answers in the contract’s JSON, with Retry-After when the error has one', async () => {
    const answer = await failed('json', slowDown());
    expect(answer.statusCode).toBe(429);
    expect(answer.json()).toEqual({ error: { code: 'too_many_attempts', message: 'Slow down.' } });
    expect(answer.headers['retry-after']).toBe('30');
  });

  it('puts the mfa_token and factors beside a due factor’s error, in both dialects', async () => {
    const due = () =>
      new MfaRequiredError(`mft_${'a'.repeat(43)}`, [{ factor_id: 'f1', type: 'totp' }]);
    const finish = {
      mfa_token: `mft_${'a'.repeat(43)}`,
      factors: [{ factor_id: 'f1', type: 'totp' }],
    };
    const api = await failed('json', due());
    expect(api.statusCode).toBe(403);
    expect(api.headers['cache-control']).toBe('no-store');
    expect(api.json()).toEqual({
      error: { code: 'mfa_required', message: expect.any(String) },
      ...finish,
    });
    const oauth = await failed('oauth', due());
    expect(oauth.statusCode).toBe(403);
    expect(oauth.json()).toEqual({
      error: 'mfa_required',
      error_description: expect.any(String),
      ...finish,
    });
  });

  it('answers /oauth/* in RFC 6749’s shape', async () => {
    const refused = await failed('oauth', new GatehouseError('token_invalid', 'Bad token.'));
    expect(refused.statusCode).toBe(401);
    expect(refused.json()).toEqual({ error: 'invalid_token', error_description: 'Bad token.' });
    expect(refused.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
    const protocol = await failed('oauth', new OAuthProtocolError('invalid_grant', 'No.'));
    expect(protocol.statusCode).toBe(400);
    expect(protocol.json()).toEqual({ error: 'invalid_grant', error_description: 'No.' });
  });

  it('answers pages with an HTML page, Retry-After set the same way', async () => {
    const answer = await failed('html', slowDown());
    expect(answer.statusCode).toBe(429);
    expect(answer.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(answer.headers['retry-after']).toBe('30');
    expect(answer.body).toContain('Slow down.');
  });

  it('answers a page’s redirect with its own result', async () => {
    const answer = await failed('html', new Redirect(seeOther('/sign-in')));
    expect(answer.statusCode).toBe(303);
    expect(answer.headers.location).toBe('/sign-in');
  });

  it('answers a route the function does not serve with 404', async () => {
    const answer = await failed('json', new RouteNotServed('GET', '/nowhere'));
    expect(answer.statusCode).toBe(404);
    expect(answer.json()).toMatchObject({ error: { code: 'not_found' } });
  });

  it('logs an unexpected error and tells nothing of it, in each dialect', async () => {
    const logged = vi.spyOn(logger, 'error').mockImplementation(() => {});
    const secret = new Error('connection string with a password');
    const json = await failed('json', secret);
    expect(json.statusCode).toBe(500);
    expect(json.json()).toEqual({
      error: { code: 'internal', message: 'Something went wrong on our side.' },
    });
    expect((await failed('oauth', secret)).json()).toMatchObject({ error: 'server_error' });
    const html = await failed('html', secret);
    expect(html.statusCode).toBe(500);
    expect(html.body).not.toContain('password');
    expect(logged).toHaveBeenCalledTimes(3);
  });

  it('leaves an answer another middleware already gave', async () => {
    const request = pipelineRequest(httpEvent('GET /me'));
    request.error = new GatehouseError('not_found', 'Gone.');
    request.response = { statusCode: 303, headers: {} };
    await run(errors(() => 'json').onError, request);
    expect(request.response.statusCode).toBe(303);
  });
});
