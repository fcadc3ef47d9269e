import { describe, expect, it } from 'vitest';
import { CSRF_COOKIE, csrfCheck, csrfCookie } from '../../../../src/web/middleware/csrf';
import type { PageState } from '../../../../src/web/middleware/page-state';
import { testDeps } from '../../../support/core-deps';
import { httpEvent, pipelineRequest, run } from '../../../support/pipeline';

const TOKEN = 'a'.repeat(43);

const page = (key: string, state: PageState, headers: Record<string, string> = {}) =>
  pipelineRequest<PageState>(httpEvent(key, { headers }), {
    deps: testDeps(),
    setCookies: [],
    ...state,
  });

describe('csrfCookie', () => {
  it('keeps a browser’s token', async () => {
    const { internal } = await run(
      csrfCookie().before,
      page('GET /sign-in', { cookies: { [CSRF_COOKIE]: TOKEN } }),
    );
    expect(internal.csrf).toBe(TOKEN);
    expect(internal.setCookies).toEqual([]);
  });

  it('issues a new one in a SameSite=Strict, Secure cookie when there is none or it is malformed', async () => {
    for (const cookies of [{}, { [CSRF_COOKIE]: 'short' }] as Record<string, string>[]) {
      const { internal } = await run(csrfCookie().before, page('GET /sign-in', { cookies }));
      expect(internal.csrf).toMatch(/^[\w-]{43}$/);
      expect(internal.setCookies).toEqual([
        `${CSRF_COOKIE}=${internal.csrf}; Path=/; HttpOnly; SameSite=Strict; Secure`,
      ]);
    }
  });
});

describe('csrfCheck', () => {
  const posted = (echoed: string, headers: Record<string, string> = {}) =>
    page('POST /sign-in', { csrf: TOKEN, form: new URLSearchParams({ csrf: echoed }) }, headers);

  it('lets a form through that echoes the token, from the pages’ own origin or none', async () => {
    await run(csrfCheck().before, posted(TOKEN));
    await run(csrfCheck().before, posted(TOKEN, { origin: 'https://auth.example.com' }));
  });

  it('refuses a wrong token or another site’s origin as forbidden', async () => {
    for (const request of [
      posted('b'.repeat(43)),
      posted(''),
      posted(TOKEN, { origin: 'https://evil.example.com' }),
    ]) {
      await expect(run(csrfCheck().before, request)).rejects.toMatchObject({ code: 'forbidden' });
    }
  });

  it('lets only RP-initiated logout’s own POST through without a token; its confirmation is checked', async () => {
    const routed = (routeKey: string) =>
      page(
        'POST /x',
        {
          csrf: TOKEN,
          form: new URLSearchParams({ id_token_hint: 'x' }),
          page: { routeKey, params: {} },
        },
        { origin: 'https://rp.example.com' },
      );
    await run(csrfCheck().before, routed('POST /oauth/logout'));
    for (const key of ['POST /oauth/logout/confirm', 'POST /sign-out']) {
      await expect(run(csrfCheck().before, routed(key))).rejects.toMatchObject({
        code: 'forbidden',
      });
    }
  });

  it('asks nothing of a GET', async () => {
    await run(csrfCheck().before, page('GET /sign-in', { csrf: TOKEN }));
  });
});
