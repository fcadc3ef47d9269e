import { describe, expect, it } from 'vitest';
import { type ActionRequest, requireActor } from '../../../src/http/handler';
import type { Principal } from '../../../src/http/principal';
import { testDeps } from '../../support/core-deps';
import { aUser } from '../../support/users';

describe('the caller as an actor', () => {
  it('refuses a token whose role is no longer the account’s (a takeover or raise within the bound)', async () => {
    const deps = testDeps();
    const user = aUser({ role: 'owner' });
    await deps.store.createUser(user);
    const principal: Principal = {
      userId: user.id,
      actingAsDefaultOwner: false,
      role: 'viewer',
      scopes: ['profile'],
      sid: 's',
      jti: 'j',
      clientId: '',
    };
    const request = { deps, principal } as unknown as ActionRequest;
    await expect(requireActor(request)).rejects.toMatchObject({ code: 'token_invalid' });
    const current = { ...request, principal: { ...principal, role: 'owner' } } as ActionRequest;
    expect((await requireActor(current)).user.id).toBe(user.id);
  });
});
