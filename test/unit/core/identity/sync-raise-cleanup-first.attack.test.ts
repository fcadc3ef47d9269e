import { describe, expect, it } from 'vitest';
import { noRequest } from '../../../../src/core/audit/audit';
import { signInWithSso } from '../../../../src/core/identity/sso-sign-in';
import { createSsoTokenVerifier } from '../../../../src/core/identity/sso-token';
import { signInWithPassword } from '../../../../src/core/sessions/sign-in';
import type { Store } from '../../../../src/core/shared/store';
import { findApiToken } from '../../../../src/core/tokens/api-token-judge';
import { createApiToken } from '../../../../src/core/tokens/api-tokens';
import { createUser, resetPassword } from '../../../../src/core/users/user-management';
import type { UserRecord } from '../../../../src/core/users/users';
import { createMemoryStore } from '../../../../src/store/memory-store';
import { testDeps } from '../../../support/core-deps';
import { hs256SsoToken } from '../../../support/sso-token';
import { createdUser } from '../../../support/users';

// Red team A, finding 7, inverted: a group-sync raise cleans up BEFORE it is saved, so a
// failed clean-up (a DynamoDB throttle) leaves the old role, and the next login raises and
// cleans up again: an API token an admin minted as the user never carries the raised role.
const SECRET = 'a shared sso secret of some length';
const meta = { ip: '203.0.113.9', userAgent: 'redteam' };

describe('group sync raise with a failing clean-up (finding 7)', () => {
  it('keeps the old role when the clean-up fails, and the next login revokes the admin-minted token before raising', async () => {
    const inner = createMemoryStore();
    let failSweep = false;
    const store: Store = {
      ...inner,
      revokeUserApiTokens: async (...args) => {
        if (failSweep) {
          failSweep = false;
          throw new Error('ProvisionedThroughputExceededException');
        }
        return inner.revokeUserApiTokens(...args);
      },
    };
    const deps = testDeps(
      { SSO_JWT_SECRET: SECRET, SSO_GROUP_SYNC: '1', SSO_GROUP_MAPPINGS: '{"founders":"owner"}' },
      store,
    );
    const op = { kind: 'operator', name: 'cli' } as const;
    await createUser(
      deps,
      op,
      {
        email: 'root@example.com',
        role: 'owner',
        password: 'owner passphrase 123456',
        type: 'human',
      },
      noRequest,
    );
    const ada = await createdUser(deps, op, {
      email: 'ada@corp.example',
      role: 'admin',
      password: 'ada admin passphrase 1',
      type: 'human',
    });
    const pat = await createdUser(deps, op, {
      email: 'pat@corp.example',
      role: 'viewer',
      type: 'human',
      identities: [{ provider: 'jwt', subject: 'pat@corp.example' }],
    });
    // the admin sets Pat's password, signs in as Pat and mints a token as Pat
    await resetPassword(
      deps,
      { kind: 'user', user: ada, tokenId: null },
      pat.id,
      'ada knows this one',
      noRequest,
    );
    const s = await signInWithPassword(deps, {
      login: 'pat@corp.example',
      password: 'ada knows this one',
    });
    const minted = await createApiToken(
      deps,
      { kind: 'user', user: (await deps.store.getUser(pat.id)) as UserRecord, tokenId: null },
      s.scope.split(' '),
      { name: 'x' },
      noRequest,
      { sid: '', tokenId: null },
    );
    const verify = createSsoTokenVerifier(
      deps.config.sso as NonNullable<typeof deps.config.sso>,
      deps.clock.now,
    );
    const jwt = () =>
      hs256SsoToken(
        deps.clock,
        { email: 'pat@corp.example', groups: ['founders'], n: Math.random() },
        SECRET,
      );
    // Pat joins founders; the first login's sweep fails once
    failSweep = true;
    await expect(signInWithSso(deps, verify, await jwt(), meta)).rejects.toThrow();
    expect((await deps.store.getUser(pat.id))?.role).toBe('viewer');
    const live = await findApiToken(deps, minted.token);
    expect(live.valid && live.owner.role).toBe('viewer');
    // Pat retries and gets in: the raise cleans up first this time
    deps.clock.advance(5);
    const signedIn = await signInWithSso(deps, verify, await jwt(), meta);
    expect(signedIn.user.role).toBe('owner');
    expect((await findApiToken(deps, minted.token)).valid).toBe(false);
    await expect(
      signInWithPassword(deps, { login: 'pat@corp.example', password: 'ada knows this one' }),
    ).rejects.toMatchObject({ code: 'invalid_credentials' });
  });
});
