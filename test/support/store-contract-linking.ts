import { describe, expect, it } from 'vitest';
import type { Store } from '../../src/core/shared/store';
import type { ApiTokenRecord } from '../../src/core/tokens/api-tokens';
import type { FederatedIdentity } from '../../src/core/users/users';
import { aUser } from './users';

const T0 = Date.UTC(2026, 0, 1);
const conflict = expect.objectContaining({ code: 'conflict' });
const identity = (subject: string, provider = 'jwt'): FederatedIdentity => ({
  provider,
  subject,
  linkedAt: T0,
});

const aToken = (userId: string, n: number): ApiTokenRecord => ({
  tokenId: `tok_link_${userId}_${n}`,
  hash: `hash-${n}`,
  name: `token ${n}`,
  scopes: null,
  userId,
  createdBy: userId,
  createdAt: T0 + n,
  expiresAt: null,
  lifetimeSeconds: null,
  renewable: false,
  lastUsedAt: null,
  revokedAt: null,
});

/**
 * Account linking's part of the Store contract (called from storeContract): a federated
 * identity belongs to one user at most, written atomically with the user.
 */
export const linkingContract = (fresh: () => Promise<Store>) => {
  describe('federated identities', () => {
    it('finds a user by each of its identities, and nobody by another', async () => {
      const store = await fresh();
      const user = aUser({ identities: [identity('a@x.co'), identity('sub-1', 'jwt:https://i')] });
      await store.createUser(user);
      expect(await store.findUserByIdentity('jwt', 'a@x.co')).toEqual(user);
      expect(await store.findUserByIdentity('jwt:https://i', 'sub-1')).toEqual(user);
      expect(await store.findUserByIdentity('jwt:https://i', 'a@x.co')).toBeNull();
      expect(await store.findUserByIdentity('jwt', 'sub-1')).toBeNull();
    });

    it('keeps an identity to one user: creation, update and concurrent claims', async () => {
      const store = await fresh();
      const first = aUser({ identities: [identity('held')] });
      await store.createUser(first);
      const second = aUser({ identities: [identity('held')] });
      await expect(store.createUser(second)).rejects.toEqual(conflict);
      expect(await store.getUser(second.id)).toBeNull();
      expect(await store.findUserByEmail(second.emailKey)).toBeNull();

      const third = aUser();
      await store.createUser(third);
      const grab = { ...third, identities: [identity('held')], updatedAt: third.updatedAt + 1 };
      await expect(store.updateUser(third, grab)).rejects.toEqual(conflict);
      expect((await store.getUser(third.id))?.identities).toBeUndefined();

      const [a, b] = [aUser(), aUser()];
      await store.createUser(a);
      await store.createUser(b);
      const claim = (u: typeof a) =>
        store.updateUser(u, { ...u, identities: [identity('race')], updatedAt: u.updatedAt + 1 });
      const outcomes = await Promise.allSettled([claim(a), claim(b)]);
      expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
      const winner = await store.findUserByIdentity('jwt', 'race');
      expect([a.id, b.id]).toContain(winner?.id);
    });

    it('moves identities with updates and frees them on delete', async () => {
      const store = await fresh();
      const user = aUser({ identities: [identity('one')] });
      await store.createUser(user);
      const moved = { ...user, identities: [identity('two')], updatedAt: user.updatedAt + 1 };
      await store.updateUser(user, moved);
      expect(await store.findUserByIdentity('jwt', 'one')).toBeNull();
      expect((await store.findUserByIdentity('jwt', 'two'))?.id).toBe(user.id);
      const other = aUser({ identities: [identity('one')] });
      await store.createUser(other);
      await store.deleteUser(moved);
      expect(await store.findUserByIdentity('jwt', 'two')).toBeNull();
      await store.createUser(aUser({ identities: [identity('two')] }));
    });
  });

  describe("revoking a user's API tokens", () => {
    it('revokes every live token of the user, keeps the first time, and nobody else’s', async () => {
      const store = await fresh();
      await store.createApiToken(aToken('u1', 1));
      await store.createApiToken({ ...aToken('u1', 2), revokedAt: T0 });
      await store.createApiToken(aToken('u1', 3));
      await store.createApiToken(aToken('u2', 4));
      expect(await store.revokeUserApiTokens('u1', T0 + 5)).toBe(2);
      expect((await store.getApiToken('tok_link_u1_1'))?.revokedAt).toBe(T0 + 5);
      expect((await store.getApiToken('tok_link_u1_2'))?.revokedAt).toBe(T0);
      expect((await store.getApiToken('tok_link_u1_3'))?.revokedAt).toBe(T0 + 5);
      expect((await store.getApiToken('tok_link_u2_4'))?.revokedAt).toBeNull();
      expect(await store.revokeUserApiTokens('u1', T0 + 9)).toBe(0);
    });
  });
};
