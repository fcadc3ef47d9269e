import { describe, expect, it } from 'vitest';
import { requestBody } from '../../../../src/http/middleware/request-body';
import { httpEvent, pipelineRequest, routeFor, run } from '../../../support/pipeline';

const to = (key: string, overrides: Parameters<typeof httpEvent>[1]) =>
  pipelineRequest(httpEvent(key, overrides), { route: routeFor(key) });

describe('requestBody', () => {
  it('parses a JSON body against the route’s schema', async () => {
    const { internal } = await run(
      requestBody().before,
      to('POST /auth/sign-in', {
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ login: 'ada', password: 'pw' }),
      }),
    );
    expect(internal.body).toMatchObject({ login: 'ada', password: 'pw' });
    expect(internal.query).toEqual({});
  });

  it('parses a form body on /oauth/*', async () => {
    const { internal } = await run(
      requestBody().before,
      to('POST /oauth/token', {
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'grant_type=refresh_token&refresh_token=abc',
      }),
    );
    expect(internal.body).toMatchObject({ grant_type: 'refresh_token', refresh_token: 'abc' });
  });

  it('parses the query against the route’s query schema', async () => {
    const { internal } = await run(
      requestBody().before,
      to('GET /users', { rawQueryString: 'limit=5' }),
    );
    expect(internal.query).toMatchObject({ limit: 5 });
    expect(internal.body).toBeUndefined();
  });

  it('refuses a body of the wrong media type', async () => {
    await expect(
      run(
        requestBody().before,
        to('POST /auth/sign-in', { headers: { 'content-type': 'text/plain' }, body: 'hi' }),
      ),
    ).rejects.toMatchObject({ code: 'unsupported_media_type' });
  });
});
