import { describe, expect, it } from 'vitest';
import { browserSessionUser } from '../../../src/core/sessions/sessions';
import { signInWithPassword } from '../../../src/core/sessions/sign-in';
import type { PageRequest } from '../../../src/web/page-handler';
import { signOutSubmit } from '../../../src/web/pages/auth';
import { testDeps } from '../../support/core-deps';
import { createUserWithPassword, PASSWORD } from '../../support/users';

const meta = { ip: '203.0.113.8', userAgent: 'unit' };

describe('the sign-out page', () => {
  it('ends the browser session and audits auth.sign_out, as the API sign-out does', async () => {
    const deps = testDeps();
    const user = await createUserWithPassword(deps, { role: 'viewer', email: 'out@b.co' });
    const tokens = await signInWithPassword(
      deps,
      { login: 'out@b.co', password: PASSWORD, browser: true },
      meta,
    );
    const cookie = tokens.browserSession as string;
    const signedIn = await browserSessionUser(deps, cookie);
    expect(signedIn?.user.id).toBe(user.id);
    const request: PageRequest = {
      deps,
      method: 'POST',
      path: '/sign-out',
      params: {},
      query: new URLSearchParams(),
      form: new URLSearchParams({ csrf: 'x' }),
      signedIn,
      csrf: 'x',
      meta,
      secure: true,
      setCookies: [],
    };

    const result = await signOutSubmit(request);

    expect(result.statusCode).toBe(303);
    expect(await browserSessionUser(deps, cookie)).toBeNull();
    const events = await deps.store.listAuditEvents({ limit: 10, action: 'auth.sign_out' });
    expect(events.items).toHaveLength(1);
    expect(events.items[0]).toMatchObject({
      actor_id: user.id,
      target_id: user.id,
      ip: meta.ip,
      outcome: 'success',
      detail: { sid: signedIn?.session.sid },
    });
  });
});
