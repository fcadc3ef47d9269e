import { describe, expect, it } from 'vitest';
import { endAllSessions } from '../../src/core/sessions/sessions';
import type { CoreDeps } from '../../src/core/shared/deps';
import { buildDeps } from '../../src/http/composition';
import { browserFlow } from '../support/browser-flow';
import { useLocalStack } from '../support/local-stack';
import { confirmedTotp } from '../support/mfa-fixtures';
import { totpCodeAt } from '../support/totp-codes';

/**
 * Red team (issue 15), kept as a regression: a credential change (sign-out everywhere, a
 * reset) between the hosted password step and the code ends that sign-in on the page too.
 */
const OWNER = { email: 'owner@red-stale.test', password: 'red stale owner passphrase' };
const PASSWORD = 'a stale member passphrase';
const { call, signIn, stack } = useLocalStack({
  DEFAULT_OWNER_EMAIL: OWNER.email,
  DEFAULT_OWNER_PASSWORD: OWNER.password,
  REVOCATION_CACHE_SECONDS: '0',
  RATE_LIMIT_PER_IP: '0',
});
const deps = (): CoreDeps => buildDeps(process.env);

describe('a pending hosted sign-in after the credentials moved', () => {
  it('is refused on the challenge page, as /auth/mfa/verify refuses it', async () => {
    const email = `m-${Date.now()}@red-stale.test`;
    const made = await call('POST', '/users', {
      token: await signIn(OWNER.email, OWNER.password),
      json: { email, password: PASSWORD, role: 'viewer' },
    });
    expect(made.status, made.text).toBe(201);
    const user = await deps().store.getUser(made.body.user.id);
    if (!user) throw new Error('no user');
    const { secret } = await confirmedTotp(deps(), user);
    const confirmedAt = Date.now();

    const flow = browserFlow(() => stack().url);
    const form = await flow.request('GET', '/sign-in?return_to=%2Fconsole');
    const posted = await flow.request('POST', '/sign-in', {
      csrf: flow.hidden(form.text, 'csrf'),
      return_to: '/console',
      login: email,
      password: PASSWORD,
    });
    expect(posted.location).toBe('/sign-in/mfa?return_to=%2Fconsole');
    // The victim signs out everywhere (or an admin resets the password) meanwhile.
    await endAllSessions(deps(), user.id);

    const page = await flow.request('GET', '/sign-in/mfa?return_to=%2Fconsole');
    const done = await flow.request('POST', '/sign-in/mfa', {
      csrf: flow.hidden(page.text, 'csrf'),
      return_to: '/console',
      code: totpCodeAt(secret, Math.max(Date.now(), confirmedAt + 30_000)),
    });
    expect(flow.cookieHeader()).not.toContain('gatehouse_session=');
    expect(done.location, 'a session opened after sign-out everywhere').not.toBe('/console');
  });
});
