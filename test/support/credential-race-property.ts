import fc from 'fast-check';
import { expect } from 'vitest';
import { changeOwnPassword } from '../../src/core/account/account';
import { noRequest } from '../../src/core/audit/audit';
import { signInWithSso } from '../../src/core/identity/sso-sign-in';
import { createSsoTokenVerifier } from '../../src/core/identity/sso-token';
import { credentialVersionOf } from '../../src/core/sessions/credential-version';
import { rotateRefreshToken } from '../../src/core/sessions/sessions';
import { signInWithPassword } from '../../src/core/sessions/sign-in';
import type { Store } from '../../src/core/shared/store';
import { createUser, resetPassword, updateUser } from '../../src/core/users/user-management';
import type { UserRecord } from '../../src/core/users/users';
import { type TestDeps, testDeps } from './core-deps';
import { hs256SsoToken } from './sso-token';
import { createdUser } from './users';

const SECRET = 'a shared sso secret of some length';
const OLD = 'the old leaked passphrase';
const operator = { kind: 'operator', name: 'cli' } as const;
type Revoke = 'reset' | 'mePassword' | 'takeover' | 'role';
/** These change or remove the password: nothing opened with the old one may work after. */
const REMOVES_OLD_PASSWORD: ReadonlySet<Revoke> = new Set(['reset', 'mePassword', 'takeover']);

/** Every store call goes through the fast-check scheduler while one is set: random interleavings. */
const scheduledStore = (inner: Store, current: () => fc.Scheduler | null): Store =>
  new Proxy(inner, {
    get(target, name, receiver) {
      const value = Reflect.get(target, name, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const s = current();
        const call = () => value.apply(target, args) as Promise<unknown>;
        return s ? s.schedule(Promise.resolve(), String(name)).then(call) : call();
      };
    },
  });

const sidOf = (accessToken: string): string =>
  JSON.parse(Buffer.from(accessToken.split('.')[1] as string, 'base64url').toString()).sid;

/**
 * Property (credential version): whatever the interleaving of password sign-ins in flight
 * with one revoking action (an owner's reset, POST /me/password, an SSO takeover, a role
 * change), once everything settled no refresh token works from a session opened at an older
 * credential version, and none opened with the old password works after it was changed or
 * removed. The victim's own session kept by POST /me/password still works.
 */
export const credentialRaceProperty = async (fresh: () => Promise<Store>, numRuns: number) => {
  await fc.assert(
    fc.asyncProperty(
      fc.scheduler(),
      fc.constantFrom<Revoke>('reset', 'mePassword', 'takeover', 'role'),
      fc.integer({ min: 1, max: 3 }),
      async (s, revoke, signIns) => {
        let scheduler: fc.Scheduler | null = null;
        const deps: TestDeps = testDeps(
          { SSO_JWT_SECRET: SECRET },
          scheduledStore(await fresh(), () => scheduler),
        );
        const root = await createdUser(deps, operator, {
          email: 'root@example.com',
          role: 'owner',
          password: 'root passphrase 12345',
          type: 'human',
        });
        const made = await createUser(
          deps,
          operator,
          // Unproven, so a trusted SSO login takes it over.
          {
            email: 'vic@example.com',
            role: 'viewer',
            password: OLD,
            type: 'human',
            emailVerified: false,
          },
          noRequest,
        );
        const own = await signInWithPassword(deps, { login: 'vic@example.com', password: OLD });
        const victim = (await deps.store.getUser(made.id)) as UserRecord;
        const jwt = await hs256SsoToken(deps.clock, { email: 'vic@example.com' }, SECRET);

        scheduler = s;
        const attempts = Array.from({ length: signIns }, () =>
          signInWithPassword(deps, { login: 'vic@example.com', password: OLD }),
        );
        const revoking = (async () => {
          const self = { kind: 'user' as const, tokenId: null };
          if (revoke === 'reset') {
            await resetPassword(
              deps,
              { ...self, user: root },
              victim.id,
              'new passphrase 99',
              noRequest,
            );
          } else if (revoke === 'mePassword') {
            await changeOwnPassword(
              deps,
              { ...self, user: victim },
              sidOf(own.access_token),
              {
                current_password: OLD,
                new_password: 'new passphrase 99',
              },
              noRequest,
            );
          } else if (revoke === 'takeover') {
            await signInWithSso(
              deps,
              createSsoTokenVerifier(
                deps.config.sso as NonNullable<typeof deps.config.sso>,
                deps.clock.now,
              ),
              jwt,
              noRequest,
            );
          } else {
            await updateUser(
              deps,
              { ...self, user: root },
              victim.id,
              { role: 'editor' },
              noRequest,
            );
          }
        })();
        const settled = await s.waitFor(Promise.allSettled([revoking, ...attempts]));
        scheduler = null;
        expect(settled[0]?.status).toBe('fulfilled');

        const final = (await deps.store.getUser(victim.id)) as UserRecord;
        for (const outcome of settled.slice(1)) {
          if (outcome.status === 'rejected') continue;
          const tokens = outcome.value as Awaited<(typeof attempts)[number]>;
          const session = await deps.store.getSession(sidOf(tokens.access_token));
          const current = credentialVersionOf(session ?? {}) === credentialVersionOf(final);
          const refreshed = await rotateRefreshToken(deps, tokens.refresh_token, {
            endpoint: 'auth',
          }).then(
            () => true,
            () => false,
          );
          // Works only at the current version, and never from the old password once it is gone.
          expect(refreshed).toBe(current && !REMOVES_OLD_PASSWORD.has(revoke));
          if (refreshed) expect(final.role).toBe('editor');
        }
        if (revoke === 'mePassword') {
          await rotateRefreshToken(deps, own.refresh_token, { endpoint: 'auth' });
        }
      },
    ),
    { numRuns },
  );
};
