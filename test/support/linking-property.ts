import fc from 'fast-check';
import { expect } from 'vitest';
import { changeOwnPassword } from '../../src/core/account/account';
import { signUp } from '../../src/core/account/self-service';
import { noRequest } from '../../src/core/audit/audit';
import { isGatehouseError } from '../../src/core/shared/errors';
import type { Store } from '../../src/core/shared/store';
import { type Role, roleRank } from '../../src/core/users/roles';
import { createUser, resetPassword, updateUser } from '../../src/core/users/user-management';
import type { Actor } from '../../src/core/users/user-policy';
import { linkingOf, type UserRecord } from '../../src/core/users/users';
import { apiTokenOf, linkingDeps, passwordSession, roleNow, ssoSignIn } from './linking';

const EMAILS = ['ceo@corp.test', 'CEO@corp.test ', 'cfo@corp.test'];
const GROUPS = ['owners', 'admins', 'eds', 'other'];
const ATTACKER = 'a password the attacker chose';
const ADMIN_KNOWS = 'a password the admin chose';

type Op =
  | { kind: 'signUp'; email: string }
  | { kind: 'adminEmail'; target: number; email: string }
  | { kind: 'adminReset'; target: number }
  | { kind: 'sso'; email: string; groups: string[] }
  | { kind: 'use'; credential: number }
  | { kind: 'ownPassword'; credential: number };

const email = fc.constantFrom(...EMAILS);
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('signUp' as const), email }) },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('adminEmail' as const), target: fc.nat(9), email }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('adminReset' as const), target: fc.nat(9) }),
  },
  {
    weight: 3,
    arbitrary: fc.record({ kind: fc.constant('sso' as const), email, groups: fc.subarray(GROUPS) }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('use' as const), credential: fc.nat(19) }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('ownPassword' as const), credential: fc.nat(19) }),
  },
);

/** A credential someone other than an owner made, and the highest role it may ever carry. */
type Credential = { ceiling: Role } & (
  | { kind: 'password'; userId: string; password: string }
  | { kind: 'session'; sid: string }
  | { kind: 'apiToken'; tokenId: string }
);

/** Refusals are part of the game; anything else fails the property. */
const refusedOr = async <T>(work: () => Promise<T>): Promise<T | null> => {
  try {
    return await work();
  } catch (error) {
    if (isGatehouseError(error) && error.code !== 'internal') return null;
    throw error;
  }
};

/**
 * Invariants over random sign-ups, admin email changes and password resets, SSO logins with
 * random emails and groups, and uses of what the attacker and the admin know: (a) no
 * credential made by a non-owner authenticates with a role above the highest one an owner or
 * a group mapping gave its maker (a sign-up: viewer; an admin's password for a user it
 * manages: editor); (d) one account per normalized email; one account per identity.
 */
export const linkingProperty = (fresh: () => Promise<Store>, numRuns: number) =>
  fc.assert(
    fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 16 }), async (ops) => {
      const deps = linkingDeps({}, await fresh());
      const operator: Actor = { kind: 'operator', name: 'property' };
      await createUser(deps, operator, { email: 'owner@corp.test', role: 'owner' }, noRequest);
      const adminId = (
        await createUser(
          deps,
          operator,
          { email: 'admin@corp.test', role: 'admin', password: 'the admin’s own passphrase' },
          noRequest,
        )
      ).id;
      const admin = async (): Promise<Actor> => ({
        kind: 'user',
        user: (await deps.store.getUser(adminId)) as UserRecord,
        tokenId: null,
      });
      const users = async () => (await deps.store.listUsers({ limit: 200 })).items;
      const credentials: Credential[] = [];

      for (const step of ops) {
        deps.clock.advance(1);
        const others = (await users()).filter((u) => u.id !== adminId);
        const target = others.length
          ? others[('target' in step ? step.target : 0) % others.length]
          : undefined;
        if (step.kind === 'signUp') {
          const user = await refusedOr(() =>
            signUp(deps, { email: step.email, password: ATTACKER }, noRequest),
          );
          if (user)
            credentials.push({
              kind: 'password',
              userId: user.id,
              password: ATTACKER,
              ceiling: 'viewer',
            });
        } else if (step.kind === 'adminEmail' && target) {
          await refusedOr(async () =>
            updateUser(deps, await admin(), target.id, { email: step.email }, noRequest),
          );
        } else if (step.kind === 'adminReset' && target) {
          const done = await refusedOr(async () =>
            resetPassword(deps, await admin(), target.id, ADMIN_KNOWS, noRequest),
          );
          if (done)
            credentials.push({
              kind: 'password',
              userId: target.id,
              password: ADMIN_KNOWS,
              ceiling: 'editor',
            });
        } else if (step.kind === 'sso') {
          await refusedOr(() => ssoSignIn(deps, step.email, step.groups));
        } else if (step.kind === 'ownPassword' && credentials.length) {
          // Whoever knows a password can change it through /me: the new one is no better.
          const known = credentials[step.credential % credentials.length];
          if (known?.kind !== 'password') continue;
          const user = await deps.store.getUser(known.userId);
          const session = user && (await passwordSession(deps, user.email, known.password));
          if (!user || !session?.sid) continue;
          const fresh = `${known.password} again`;
          const changed = await refusedOr(() =>
            changeOwnPassword(
              deps,
              { kind: 'user', user, tokenId: null },
              session.sid as string,
              { current_password: known.password, new_password: fresh },
              noRequest,
            ),
          );
          if (changed !== null) {
            credentials.push({
              kind: 'password',
              userId: user.id,
              password: fresh,
              ceiling: known.ceiling,
            });
          }
        } else if (step.kind === 'use' && credentials.length) {
          const known = credentials[step.credential % credentials.length];
          if (known?.kind !== 'password') continue;
          const user = await deps.store.getUser(known.userId);
          if (!user) continue;
          const session = await passwordSession(deps, user.email, known.password);
          if (session.sid) {
            credentials.push({ kind: 'session', sid: session.sid, ceiling: known.ceiling });
            const tokenId = await refusedOr(() => apiTokenOf(deps, user));
            if (tokenId) credentials.push({ kind: 'apiToken', tokenId, ceiling: known.ceiling });
          }
        }

        for (const credential of credentials) {
          const role =
            credential.kind === 'password'
              ? await roleNow.password(deps, credential.userId, credential.password)
              : credential.kind === 'session'
                ? await roleNow.session(deps, credential.sid)
                : await roleNow.apiToken(deps, credential.tokenId);
          if (role !== null) {
            expect(roleRank(role), `${credential.kind} carries ${role}`).toBeLessThanOrEqual(
              roleRank(credential.ceiling),
            );
          }
        }
        const all = await users();
        const emails = all.map((u) => u.emailKey);
        expect(new Set(emails).size).toBe(emails.length);
        const identities = all.flatMap((u) =>
          linkingOf(u).identities.map((i) => `${i.provider} ${i.subject}`),
        );
        expect(new Set(identities).size).toBe(identities.length);
      }
    }),
    { numRuns },
  );
