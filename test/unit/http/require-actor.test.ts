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

  it('reads the credential’s origin only for actions that make something', async () => {
    const deps = testDeps();
    const user = aUser({ role: 'admin' });
    await deps.store.createUser(user);
    const session = {
      sid: 'sid-1',
      userId: user.id,
      clientId: null,
      createdAt: deps.clock.now(),
      expiresAt: deps.clock.now() + 3_600_000,
      revokedAt: null,
      origin: 'admin' as const,
    };
    await deps.store.createSession(session, null);
    const principal: Principal = {
      userId: user.id,
      actingAsDefaultOwner: false,
      role: 'admin',
      scopes: ['profile'],
      sid: session.sid,
      jti: '',
      clientId: '',
    };
    const request = { deps, principal } as unknown as ActionRequest;
    let sessionReads = 0;
    const getSession = deps.store.getSession.bind(deps.store);
    deps.store.getSession = async (sid) => {
      sessionReads++;
      return getSession(sid);
    };
    expect((await requireActor(request)).origin).toBe('admin');
    expect(sessionReads).toBe(1);
    const reader = await requireActor(request, { readOnly: true });
    expect(reader.origin).toBeUndefined();
    expect(sessionReads).toBe(1);
    // Still the account as it is now: a changed role refuses a read-only action too.
    const stale = { ...request, principal: { ...principal, role: 'owner' } } as ActionRequest;
    await expect(requireActor(stale, { readOnly: true })).rejects.toMatchObject({
      code: 'token_invalid',
    });
  });
});
