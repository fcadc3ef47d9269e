import fc from 'fast-check';
import { expect } from 'vitest';
import { noRequest } from '../../src/core/audit/audit';
import { signInWithPassword } from '../../src/core/sessions/sign-in';
import type { Store } from '../../src/core/shared/store';
import { createUser, resetPassword, updateUser } from '../../src/core/users/user-management';
import type { UserRecord } from '../../src/core/users/users';
import { type TestDeps, testDeps } from './core-deps';
import { createdUser } from './users';

/** Writes `hash` as the hint on every login item naming `user`, around the adapter. */
export type StaleHint = (user: UserRecord, hash: string) => Promise<void>;

const PASSWORDS = ['first passphrase 1111', 'second passphrase 2222', 'third passphrase 3333'];
const EMAILS = ['kim@example.com', 'kim.two@example.com', 'kim.three@example.com'];
const USERNAMES = ['kim', 'kimberly', 'k-three'];
const operator = { kind: 'operator', name: 'cli' } as const;

type Op =
  | { kind: 'signIn'; login: 'email' | 'username' | 'past email'; password: number }
  | { kind: 'reset'; password: number }
  | { kind: 'email'; to: number }
  | { kind: 'username'; to: number }
  | { kind: 'staleHint'; password: number }
  | { kind: 'parallel'; password: number; alsoReset: number };

const index = fc.integer({ min: 0, max: 2 });
const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('signIn' as const),
      login: fc.constantFrom('email' as const, 'username' as const, 'past email' as const),
      password: index,
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('reset' as const), password: index }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('email' as const), to: index }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('username' as const), to: index }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('staleHint' as const), password: index }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('parallel' as const),
      password: index,
      alsoReset: index,
    }),
  },
);

const outcome = (promise: Promise<unknown>) =>
  promise.then(
    () => 'ok',
    (error: { code: string }) => error.code,
  );

/**
 * Property (login hints): over any sequence of password resets, email and username changes,
 * stale hints (the login items' copy of the hash overwritten with another password's, when the
 * store lets the test reach it) and sign-ins, alone or racing a reset, a sign-in succeeds iff
 * its login names the user now and its password is the one on the user item. The hint can be
 * stale: it never matters.
 */
export const passwordHintProperty = async (
  fresh: () => Promise<{ store: Store; staleHint?: StaleHint }>,
  numRuns: number,
) => {
  await fc.assert(
    fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 10 }), async (ops) => {
      const { store, staleHint } = await fresh();
      // Failures are expected here; the lockout has its own properties.
      const deps: TestDeps = testDeps({ LOCKOUT_THRESHOLD: '100' }, store);
      const root = await createdUser(deps, operator, {
        email: 'root@example.com',
        role: 'owner',
        password: 'root passphrase 12345',
        type: 'human',
      });
      const actor = { kind: 'user' as const, user: root, tokenId: null };
      const made = await createUser(
        deps,
        operator,
        {
          email: EMAILS[0] as string,
          username: USERNAMES[0] as string,
          role: 'viewer',
          password: PASSWORDS[0] as string,
          type: 'human',
        },
        noRequest,
      );
      const model = { password: 0, email: 0, username: 0, pastEmails: new Set<number>() };
      const loginOf = (login: 'email' | 'username' | 'past email') =>
        login === 'email'
          ? { name: EMAILS[model.email] as string, names: true }
          : login === 'username'
            ? { name: USERNAMES[model.username] as string, names: true }
            : {
                name: EMAILS[[...model.pastEmails][0] ?? (model.email + 1) % 3] as string,
                names: false,
              };
      const signIn = (name: string, password: number) =>
        outcome(signInWithPassword(deps, { login: name, password: PASSWORDS[password] as string }));
      const reset = (password: number) =>
        resetPassword(deps, actor, made.id, PASSWORDS[password], noRequest);

      for (const step of ops) {
        if (step.kind === 'signIn') {
          const login = loginOf(step.login);
          const right = login.names && step.password === model.password;
          expect(await signIn(login.name, step.password)).toBe(
            right ? 'ok' : 'invalid_credentials',
          );
        } else if (step.kind === 'reset') {
          await reset(step.password);
          model.password = step.password;
        } else if (step.kind === 'email' && step.to !== model.email) {
          await updateUser(deps, actor, made.id, { email: EMAILS[step.to] as string }, noRequest);
          model.pastEmails.add(model.email);
          model.pastEmails.delete(step.to);
          model.email = step.to;
        } else if (step.kind === 'username' && step.to !== model.username) {
          await updateUser(
            deps,
            actor,
            made.id,
            { username: USERNAMES[step.to] as string },
            noRequest,
          );
          model.username = step.to;
        } else if (step.kind === 'staleHint' && staleHint) {
          const user = (await store.getUser(made.id)) as UserRecord;
          await staleHint(user, await deps.hasher.hash(PASSWORDS[step.password] as string));
        } else if (step.kind === 'parallel') {
          // A sign-in racing a reset: it may see either password, never a third.
          const before = model.password;
          const [answer] = await Promise.all([
            signIn(EMAILS[model.email] as string, step.password),
            reset(step.alsoReset),
          ]);
          model.password = step.alsoReset;
          const couldBeRight = step.password === before || step.password === step.alsoReset;
          expect(couldBeRight ? ['ok', 'invalid_credentials'] : ['invalid_credentials']).toContain(
            answer,
          );
        }
      }
      // Settled: the current password works by every login naming the user, no other does.
      for (const password of [0, 1, 2]) {
        expect(await signIn(EMAILS[model.email] as string, password)).toBe(
          password === model.password ? 'ok' : 'invalid_credentials',
        );
      }
    }),
    { numRuns },
  );
};
