/**
 * The belowVersion sweep (endSessionsOf after a role/status change or a reset) under
 * random interleavings with the other flows that write sessions or versions: a password change
 * keeping its own session (keepSessionAtVersion), a sign-in in flight (retry at the fresh
 * version), sign-out everywhere. Invariant: once every flow is done, no session made before the
 * role change is live, and every live session is at the user's current version with its role.
 */
import { describe, expect, it } from 'vitest';
import { changeOwnPassword } from '../../../src/core/account/account';
import { noRequest } from '../../../src/core/audit/audit';
import { credentialVersionOf } from '../../../src/core/sessions/credential-version';
import { signInWithPassword } from '../../../src/core/sessions/sign-in';
import type { Store } from '../../../src/core/shared/store';
import { resetPassword, updateUser } from '../../../src/core/users/user-management';
import type { UserRecord } from '../../../src/core/users/users';
import { createMemoryStore } from '../../../src/store/memory-store';
import { testDeps } from '../../support/core-deps';
import { createUserWithPassword, PASSWORD } from '../../support/users';

/** Every store call waits a random 0–2 ms first: the flows interleave differently each run. */
const jittery = (store: Store, seed: number): Store => {
  let state = seed;
  const rand = () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
  return new Proxy(store, {
    get(target, name) {
      const value = Reflect.get(target, name);
      if (typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        await new Promise((done) => setTimeout(done, Math.floor(rand() * 3)));
        return value.apply(target, args);
      };
    },
  });
};

const sidOf = (accessToken: string): string =>
  JSON.parse(Buffer.from(accessToken.split('.')[1] as string, 'base64url').toString()).sid;

describe('belowVersion sweep races', () => {
  it('no pre-change session survives a role change, whatever the interleaving', async () => {
    const problems: string[] = [];
    const outcomes: string[] = [];
    for (let seed = 1; seed <= 50; seed++) {
      const deps = testDeps({}, jittery(createMemoryStore(), seed));
      const root = await createUserWithPassword(deps, { role: 'owner', email: 'root@example.com' });
      const victim = await createUserWithPassword(deps, { role: 'editor', email: 'v@example.com' });
      const own = await signInWithPassword(deps, { login: 'v@example.com', password: PASSWORD });
      const other = await signInWithPassword(deps, { login: 'v@example.com', password: PASSWORD });
      const ownSid = sidOf(own.access_token);
      const otherSid = sidOf(other.access_token);
      const fresh = (await deps.store.getUser(victim.id)) as UserRecord;
      deps.clock.advance(1000);
      const flows = await Promise.allSettled([
        new Promise((done) => setTimeout(done, seed % 13)).then(() =>
          updateUser(
            deps,
            { kind: 'user', user: root, tokenId: null },
            victim.id,
            { role: 'viewer' },
            noRequest,
          ),
        ),
        changeOwnPassword(
          deps,
          { kind: 'user', user: fresh, tokenId: null, origin: 'self' },
          ownSid,
          { current_password: PASSWORD, new_password: 'another long passphrase 42' },
          noRequest,
        ),
        signInWithPassword(deps, { login: 'v@example.com', password: PASSWORD }),
        seed % 2
          ? resetPassword(deps, { kind: 'operator', name: 'cli' }, victim.id, undefined, noRequest)
          : Promise.resolve(),
      ]);
      const user = (await deps.store.getUser(victim.id)) as UserRecord;
      outcomes.push(
        flows
          .map((f) =>
            f.status === 'fulfilled' ? 'ok' : ((f.reason as { code?: string }).code ?? 'err'),
          )
          .join(','),
      );
      const roleChanged = flows[0].status === 'fulfilled';
      for (const sid of [ownSid, otherSid]) {
        const session = await deps.store.getSession(sid);
        if (roleChanged && session?.revokedAt === null) {
          problems.push(
            `seed ${seed}: pre-change session ${sid === ownSid ? 'own' : 'other'} live at v${credentialVersionOf(session)} (user v${credentialVersionOf(user)}, role ${user.role})`,
          );
        }
      }
      const signIn = flows[2];
      if (signIn.status === 'fulfilled') {
        const s = await deps.store.getSession(sidOf(signIn.value.access_token));
        if (s?.revokedAt === null && credentialVersionOf(s) !== credentialVersionOf(user)) {
          problems.push(
            `seed ${seed}: in-flight session live at v${credentialVersionOf(s)}, user v${credentialVersionOf(user)}`,
          );
        }
        if (s?.revokedAt === null && signIn.value.user.role !== user.role) {
          problems.push(
            `seed ${seed}: live in-flight session carries role ${signIn.value.user.role}, user is ${user.role}`,
          );
        }
      }
    }
    const tally: Record<string, number> = {};
    for (const o of outcomes) tally[o] = (tally[o] ?? 0) + 1;
    console.log(tally);
    expect(problems).toEqual([]);
  }, 120_000);
});
