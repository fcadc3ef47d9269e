import { describe, expect, it } from 'vitest';
import { noRequest } from '../../../../src/core/audit/audit';
import type { ProviderFacts } from '../../../../src/core/identity/account-linking';
import { applyProviderFacts } from '../../../../src/core/identity/sso-account';
import { JWT_PROVIDER } from '../../../../src/core/users/users';
import { linkingDeps, ssoSignIn } from '../../../support/linking';
import { confirmedTotp } from '../../../support/mfa-fixtures';

/**
 * applyProviderFacts, the one place a provider's login reaches an account. Invariant: it writes
 * only to the account whose gate the login passed, or (none passed) to a new account, a
 * takeover or an account with no factor; a gated login never lands on another account.
 */
const factsFor = (email: string, name = 'From Provider'): ProviderFacts => ({
  login: { identity: { provider: JWT_PROVIDER, subject: email }, email, emailTrusted: true },
  profile: { email, name, groups: [], attributes: {} },
  mappedRole: null,
});

describe('applyProviderFacts', () => {
  it('refuses a login gated for one account that now names another, and writes nothing', async () => {
    const deps = linkingDeps();
    const { user } = await ssoSignIn(deps, 'a@facts.test');
    const before = await deps.store.getUser(user.id);
    await expect(
      applyProviderFacts(deps, factsFor('a@facts.test', 'Changed'), 'another-account', noRequest),
    ).rejects.toMatchObject({ code: 'conflict' });
    expect(await deps.store.getUser(user.id)).toEqual(before);
  });

  it('refuses to make a new account for a login gated for an existing one', async () => {
    const deps = linkingDeps();
    await expect(
      applyProviderFacts(deps, factsFor('new@facts.test'), 'gated-account', noRequest),
    ).rejects.toMatchObject({ code: 'conflict' });
    expect(await deps.store.findUserByEmail('new@facts.test')).toBeNull();
  });

  it('refuses an ungated login on an account that has a factor, and writes nothing', async () => {
    const deps = linkingDeps();
    const { user } = await ssoSignIn(deps, 'b@facts.test');
    await confirmedTotp(deps, user);
    const before = await deps.store.getUser(user.id);
    await expect(
      applyProviderFacts(deps, factsFor('b@facts.test', 'Changed'), null, noRequest),
    ).rejects.toMatchObject({ code: 'conflict' });
    expect(await deps.store.getUser(user.id)).toEqual(before);
  });

  it('applies a login to the account it was cleared for', async () => {
    const deps = linkingDeps();
    const { user } = await ssoSignIn(deps, 'c@facts.test');
    await confirmedTotp(deps, user);
    const { user: after } = await applyProviderFacts(
      deps,
      factsFor('c@facts.test', 'Changed'),
      user.id,
      noRequest,
    );
    expect(after).toMatchObject({ id: user.id, name: 'Changed' });
  });
});
