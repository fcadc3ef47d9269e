import { describe, expect, it } from 'vitest';
import { noRequest } from '../../../../src/core/audit/audit';
import { signInFederated } from '../../../../src/core/identity/sso-sign-in';
import { rotateRefreshToken } from '../../../../src/core/sessions/sessions';
import { importUsers } from '../../../../src/core/users/user-import';
import type { Actor } from '../../../../src/core/users/user-policy';
import { testDeps } from '../../../support/core-deps';
import { aUser } from '../../../support/users';

/**
 * Red team 13: a users.json row (another system's export) pre-links its `sub` to whatever
 * account holds its email, an owner's included, though a login never links an admin or owner
 * by email alone (API.md, Account linking). The `sub`'s holder then signs in as the owner,
 * whatever email the provider sends, and with no password.
 */
const operator: Actor = { kind: 'operator', name: 'USERS_IMPORT_FILE' };
const PROVIDERS = JSON.stringify([
  {
    id: 'globus',
    name: 'Globus',
    issuer: 'https://auth.globus.org',
    client_id: 'c',
    client_secret: 's',
  },
]);

describe('users.json pre-linking onto an owner', () => {
  it('refuses to link a row’s sub to an existing owner (or admin) by email', async () => {
    const deps = testDeps({ IDENTITY_PROVIDERS: PROVIDERS });
    const owner = aUser({ email: 'boss@example.com', role: 'owner', emailVerified: true });
    await deps.store.createUser(owner);
    const summary = await importUsers(deps, operator, [
      { email: 'Boss@example.com', name: 'Boss', institution: 'X', sub: 'someone-elses-sub' },
    ]);
    const after = await deps.store.getUser(owner.id);
    // Safe: the row fails (or links nothing) for an admin/owner account.
    expect(after?.identities ?? [], JSON.stringify(summary)).toEqual([]);
  });

  it('…so that sub cannot sign in as the owner', async () => {
    const deps = testDeps({ IDENTITY_PROVIDERS: PROVIDERS });
    const owner = aUser({ email: 'boss@example.com', role: 'owner', emailVerified: true });
    await deps.store.createUser(owner);
    await importUsers(deps, operator, [{ email: 'boss@example.com', sub: 'someone-elses-sub' }]);
    const outcome = await signInFederated(
      deps,
      {
        identity: { provider: 'globus', subject: 'someone-elses-sub' },
        email: 'me@elsewhere.org',
        emailTrusted: false,
      },
      { email: 'me@elsewhere.org', name: null, groups: [], attributes: {} },
      noRequest,
      { returnTo: '/', codeChallenge: null, clientId: null },
      'oidc',
    ).catch((error: unknown) => error);
    expect((outcome as { user?: { id: string } }).user?.id).not.toBe(owner.id);
  });

  it('refuses to give an existing owner an imported, never-expiring refresh credential from the file', async () => {
    const deps = testDeps({ IDENTITY_PROVIDERS: PROVIDERS });
    const owner = aUser({ email: 'boss@example.com', role: 'owner', emailVerified: true });
    await deps.store.createUser(owner);
    const value = 'servicex-refresh-token-of-the-boss';
    await importUsers(deps, operator, [{ email: 'boss@example.com', refresh_token: value }]);
    const tokens = await rotateRefreshToken(deps, value, { endpoint: 'auth' }).catch(() => null);
    // Safe: no owner-scoped credential comes out of another system's export.
    expect(tokens?.user.role).not.toBe('owner');
  });
});
