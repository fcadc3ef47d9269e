import { describe, expect, it } from 'vitest';
import { noRequest } from '../../../../src/core/audit/audit';
import { startSession } from '../../../../src/core/sessions/sessions';
import { revokeAnyToken, revokeClientToken } from '../../../../src/core/tokens/token-revocation';
import type { Role } from '../../../../src/core/users/roles';
import { type TestDeps, testDeps } from '../../../support/core-deps';
import { storedClient, verifyWithDeps } from '../../../support/oauth-fixtures';
import { aUser } from '../../../support/users';

const userWithSession = async (deps: TestDeps, role: Role, clientId: string | null = null) => {
  const user = aUser({ role });
  await deps.store.createUser(user);
  const tokens = await startSession(deps, user, clientId);
  const { sid } = await verifyWithDeps(deps)(tokens.access_token);
  const isLive = async () => (await deps.store.getSession(sid))?.revokedAt === null;
  return { user, tokens, sid, isLive };
};

const actorOf = (user: Awaited<ReturnType<typeof userWithSession>>['user']) => ({
  kind: 'user' as const,
  user,
  tokenId: null,
});

const revokeEvents = async (deps: TestDeps) =>
  (await deps.store.listAuditEvents({ limit: 50 })).items.filter(
    (event) => event.action === 'token.revoke',
  );

describe('token revocation (RFC 7009)', () => {
  it('ends the session of the caller’s own refresh or access token, and records it', async () => {
    const deps = testDeps();
    const verify = verifyWithDeps(deps);
    const ann = await userWithSession(deps, 'editor');
    await revokeAnyToken(deps, actorOf(ann.user), ann.tokens.refresh_token, verify, noRequest);
    expect(await ann.isLive()).toBe(false);
    expect(await revokeEvents(deps)).toEqual([
      expect.objectContaining({
        actor_id: ann.user.id,
        target_id: ann.user.id,
        detail: expect.objectContaining({ token_type: 'refresh_token', sid: ann.sid }),
      }),
    ]);
    const second = await userWithSession(deps, 'editor');
    await revokeAnyToken(deps, actorOf(second.user), second.tokens.access_token, verify, noRequest);
    expect(await second.isLive()).toBe(false);
  });

  it('lets an admin revoke a lower role’s token, and quietly leaves a higher one’s alone', async () => {
    const deps = testDeps();
    const verify = verifyWithDeps(deps);
    const admin = await userWithSession(deps, 'admin');
    const viewer = await userWithSession(deps, 'viewer');
    const owner = await userWithSession(deps, 'owner');
    await revokeAnyToken(deps, actorOf(admin.user), viewer.tokens.refresh_token, verify, noRequest);
    expect(await viewer.isLive()).toBe(false);
    await expect(
      revokeAnyToken(deps, actorOf(viewer.user), admin.tokens.refresh_token, verify, noRequest),
    ).resolves.toBeUndefined();
    await revokeAnyToken(deps, actorOf(admin.user), owner.tokens.access_token, verify, noRequest);
    expect(await admin.isLive()).toBe(true);
    expect(await owner.isLive()).toBe(true);
    expect(await revokeEvents(deps)).toHaveLength(1);
  });

  it('answers an unknown, malformed or already revoked token the same: quietly', async () => {
    const deps = testDeps();
    const verify = verifyWithDeps(deps);
    const ann = await userWithSession(deps, 'editor');
    for (const token of ['srt_unknown', 'garbage', 'sat_x']) {
      await expect(
        revokeAnyToken(deps, actorOf(ann.user), token, verify, noRequest),
      ).resolves.toBeUndefined();
    }
    await revokeAnyToken(deps, actorOf(ann.user), ann.tokens.refresh_token, verify, noRequest);
    await revokeAnyToken(deps, actorOf(ann.user), ann.tokens.refresh_token, verify, noRequest);
    expect(await revokeEvents(deps)).toHaveLength(1);
  });

  it('lets a client revoke the sessions issued to it, and nothing else', async () => {
    const deps = testDeps();
    const verify = verifyWithDeps(deps);
    const client = await storedClient(deps);
    const other = await storedClient(deps);
    const mine = await userWithSession(deps, 'editor', client.clientId);
    const theirs = await userWithSession(deps, 'editor', other.clientId);
    const signIn = await userWithSession(deps, 'editor');
    await revokeClientToken(deps, client.clientId, theirs.tokens.refresh_token, verify, noRequest);
    await revokeClientToken(deps, client.clientId, signIn.tokens.access_token, verify, noRequest);
    expect(await theirs.isLive()).toBe(true);
    expect(await signIn.isLive()).toBe(true);
    await revokeClientToken(deps, client.clientId, mine.tokens.access_token, verify, noRequest);
    expect(await mine.isLive()).toBe(false);
    expect(await revokeEvents(deps)).toEqual([
      expect.objectContaining({
        actor_id: null,
        target_id: mine.user.id,
        detail: expect.objectContaining({ sid: mine.sid, client_id: client.clientId }),
      }),
    ]);
  });
});
