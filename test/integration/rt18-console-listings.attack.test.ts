import { expect, it } from 'vitest';
import type { LockoutPolicy } from '../../src/core/sessions/lockout';
import type { SessionRecord } from '../../src/core/shared/store';
import { useDynamoDbLocal } from '../support/dynamodb';
import { aUser } from '../support/users';

// Red team (issue 18): DynamoDB Limit counts items READ, not items kept by a filter; both
// console listings post-filter a bounded read, so dead items hide live ones.
const dynamo = useDynamoDbLocal();
const T0 = Date.UTC(2026, 0, 1);
const HOUR = 3_600_000;

const session = (userId: string, sid: string, createdAt: number, expiresAt: number) =>
  ({
    sid,
    userId,
    clientId: null,
    createdAt,
    expiresAt,
    revokedAt: null,
    credentialVersion: 0,
  }) satisfies SessionRecord;

it('user page: a live session behind 506 dead ones is not listed, and `more` says nothing was left out', async () => {
  const store = await dynamo.freshStore();
  const user = aUser();
  await store.createUser(user);
  // Sessions the user signed out of / that expired stay in the index until their TTL.
  for (let i = 0; i < 506; i++) {
    await store.createSession(
      session(user.id, `a${String(i).padStart(4, '0')}`, T0 - 2 * HOUR, T0 - HOUR),
      null,
    );
  }
  // The attacker's session (newest, live): its sid sorts after the dead ones.
  await store.createSession(session(user.id, 'zz-attacker', T0, T0 + HOUR), null);
  const listed = await store.listUserSessions(user.id, T0 + 1, 50);
  // Expected: the live session listed (or at least more: true). Actual: [] and more: false.
  expect(listed.sessions.map((s) => s.sid)).toContain('zz-attacker');
  // Every entry was read within the budget: nothing was left out.
  expect(listed.more).toBe(false);
}, 240_000);

it('lockouts view: a real lock is hidden behind 200 newer locks that already ended', async () => {
  const store = await dynamo.freshStore();
  const policy: LockoutPolicy = { threshold: 1, baseSeconds: 1, maxSeconds: 3600 };
  const fail = (key: string, at: number, holder: { login: string } | { userId: string }) =>
    store.recordLoginFailure(key, {
      at,
      expiresAt: at + 2 * HOUR,
      policy,
      unlessLocked: false,
      holder,
    });
  // The owner's account counter, locked for an hour (13 failures: 1 s * 2^12 > 3600 s -> 3600 s).
  const ownerKey = 'Aowner-account-key';
  for (let i = 0; i < 13; i++) await fail(ownerKey, T0 + i, { userId: 'owner-1' });
  // A spray of unknown logins in the same shard (same first character), each locked 1 s.
  for (let i = 0; i < 200; i++) {
    await fail(`Aspray-${i}`, T0 + 1000 + i, { login: `spray-${i}@x.test` });
  }
  const now = T0 + 60_000; // the spray's 1 s locks are over; the owner's lock runs to T0 + 1 h
  const { locks, partial } = await store.listLoginLocks(now, policy, 200);
  expect(partial).toBe(false);
  expect((await store.getLoginFailures(ownerKey))?.failures).toBe(13);
  // Expected: the owner's lock listed. Actual: "Nobody is locked out."
  expect(locks.map((l) => l.key)).toContain(ownerKey);
  // A budget too small to read past the ended locks says so: never a silent "nobody".
  expect(await store.listLoginLocks(now, policy, 1)).toEqual({ locks: [], partial: true });
}, 240_000);
