import { describe, expect, it } from 'vitest';
import type { Store } from '../../src/core/shared/store';
import { aUser } from './users';

const T0 = Date.UTC(2026, 0, 1);

/**
 * Admin influence lineage's part of the Store contract (called from storeContract): every
 * origin a credential records comes back as stored, so the raise rule judges what was written.
 */
export const lineageContract = (fresh: () => Promise<Store>) => {
  describe('credential origins', () => {
    it('keeps emailSetBy and passwordSetBy on users, origin on sessions, API tokens and links', async () => {
      const store = await fresh();
      const user = aUser({ passwordSetBy: 'admin', emailSetBy: 'admin' });
      await store.createUser(user);
      expect(await store.getUser(user.id)).toMatchObject({
        passwordSetBy: 'admin',
        emailSetBy: 'admin',
      });
      const session = {
        sid: `sid-lineage-${user.id}`,
        userId: user.id,
        clientId: null,
        createdAt: T0,
        expiresAt: T0 + 3_600_000,
        revokedAt: null,
        origin: 'admin' as const,
      };
      await store.createSession(session, null);
      expect((await store.getSession(session.sid))?.origin).toBe('admin');
      const tokenId = `tok_lineage_${user.id}`;
      await store.createApiToken({
        tokenId,
        hash: `hash-lineage-${user.id}`,
        name: 'lineage',
        scopes: null,
        userId: user.id,
        createdBy: user.id,
        createdAt: T0,
        expiresAt: null,
        lifetimeSeconds: null,
        renewable: false,
        lastUsedAt: null,
        revokedAt: null,
        origin: 'unknown',
      });
      expect((await store.getApiToken(tokenId))?.origin).toBe('unknown');
      await store.createOneTimeToken({
        hash: `ott-lineage-${user.id}`,
        purpose: 'change_email',
        userId: user.id,
        email: 'new@example.com',
        createdAt: T0,
        expiresAt: T0 + 3_600_000,
        usedAt: null,
        origin: 'admin',
      });
      expect((await store.consumeOneTimeToken(`ott-lineage-${user.id}`, T0))?.origin).toBe('admin');
    });
  });
};
