import { describe, expect, it } from 'vitest';
import { SESSION_COOKIE } from '../../../../src/http/cookies';
import { browserSession } from '../../../../src/web/middleware/browser-session';
import type { PageState } from '../../../../src/web/middleware/page-state';
import { testDeps } from '../../../support/core-deps';
import { httpEvent, pipelineRequest, run } from '../../../support/pipeline';

const visit = (routeKey: string, cookies: Record<string, string>) =>
  pipelineRequest<PageState>(httpEvent(routeKey), {
    deps: testDeps(),
    cookies,
    setCookies: [],
    page: { routeKey, params: {} },
  });

describe('browserSession', () => {
  it('has no session without a cookie, and clears nothing', async () => {
    const { internal } = await run(browserSession().before, visit('GET /console', {}));
    expect(internal.signedIn).toBeNull();
    expect(internal.setCookies).toEqual([]);
  });

  it('clears a session cookie that names no live session', async () => {
    const { internal } = await run(
      browserSession().before,
      visit('GET /console', { [SESSION_COOKIE]: 'stale' }),
    );
    expect(internal.signedIn).toBeNull();
    expect(internal.setCookies).toEqual([
      `${SESSION_COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax; Secure`,
    ]);
  });

  it('reads no session for a static file', async () => {
    const { internal } = await run(
      browserSession().before,
      visit('GET /assets/{file}', { [SESSION_COOKIE]: 'stale' }),
    );
    expect(internal.signedIn).toBeNull();
    expect(internal.setCookies).toEqual([]);
  });
});
