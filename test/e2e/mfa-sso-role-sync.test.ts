import { describe, expect, it } from 'vitest';
import type { CoreDeps } from '../../src/core/shared/deps';
import { loginKey } from '../../src/core/users/users';
import { buildDeps } from '../../src/http/composition';
import { confirmedTotp } from '../support/mfa-fixtures';
import { hop, useSsoStack } from '../support/sso-stack';

/**
 * Red team (issue 15), kept as a regression: a login whose group sync raises the role of a
 * linked user with a factor used to clear the factors (meant for takeovers only) before the
 * gate, so it got a session with no second factor. Factors now go only with a takeover, and
 * the role sync waits for the factor too (mfa-sso-facts-after-factor.test.ts).
 */
const { idp, stack } = await useSsoStack({
  SSO_GROUP_SYNC: '1',
  SSO_GROUP_MAPPINGS: JSON.stringify({ 'data-admins': 'admin' }),
  REVOCATION_CACHE_SECONDS: '0',
});
const deps = (): CoreDeps => buildDeps(process.env);

const ssoLogin = async () => {
  const start = await hop(`${stack().url}/auth/sso?return_to=%2Flanding`);
  const atProvider = await hop(start.location as string, start.cookies);
  return hop(atProvider.location as string, start.cookies);
};

describe('SSO login that raises the role of a user with a factor', () => {
  it('still asks for the factor (no session, factor kept)', async () => {
    const email = `raise-${Date.now()}@red.test`;
    idp.signInAs({ email, first_name: 'R', last_name: 'T', groups: [] });
    const first = await ssoLogin();
    expect(first.cookies.some((c) => c.startsWith('gatehouse_session='))).toBe(true);
    const id = (await deps().store.findLogin(loginKey(email)))?.userId;
    const user = id ? await deps().store.getUser(id) : null;
    if (!user) throw new Error('no SSO user');
    expect(user.role).toBe('viewer');
    await confirmedTotp(deps(), user);
    expect((await deps().store.getMfaState(user.id)).factors).toHaveLength(1);

    await new Promise((resolve) => setTimeout(resolve, 1100));
    // The SSO first factor only (the attacker's), now with a group that maps to admin.
    idp.signInAs({ email, first_name: 'R', last_name: 'T', groups: ['data-admins'] });
    const second = await ssoLogin();
    // Expected: the challenge page, no session; the factor is still there.
    expect
      .soft(
        second.cookies.some((c) => c.startsWith('gatehouse_session=')),
        'session without factor',
      )
      .toBe(false);
    expect.soft(second.location ?? '', 'no challenge page').toContain('/sign-in/mfa');
    expect
      .soft((await deps().store.getUser(user.id))?.role, 'raised before the factor')
      .toBe('viewer');
    expect(
      (await deps().store.getMfaState(user.id)).factors,
      'factor deleted by the raise',
    ).toHaveLength(1);
  });

  it('an admin with a factor: the provider alone (demote, then re-raise) gets an admin session with no factor', async () => {
    const email = `cycle-${Date.now()}@red.test`;
    idp.signInAs({ email, first_name: 'C', last_name: 'Y', groups: ['data-admins'] });
    await ssoLogin();
    const id = (await deps().store.findLogin(loginKey(email)))?.userId;
    const user = id ? await deps().store.getUser(id) : null;
    if (!user) throw new Error('no SSO user');
    expect(user.role).toBe('admin');
    await confirmedTotp(deps(), user);
    // 1: no mapped group: held for the factor.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    idp.signInAs({ email, first_name: 'C', last_name: 'Y', groups: [] });
    const demoted = await ssoLogin();
    expect(demoted.cookies.some((c) => c.startsWith('gatehouse_session='))).toBe(false);
    // 2: the group again: a raise; still no session without the factor.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    idp.signInAs({ email, first_name: 'C', last_name: 'Y', groups: ['data-admins'] });
    const raised = await ssoLogin();
    expect(
      raised.cookies.some((c) => c.startsWith('gatehouse_session=')),
      'admin session without a factor',
    ).toBe(false);
  });
});
