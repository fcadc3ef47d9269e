import { expect } from 'vitest';
import { signInWithPassword } from '../../src/core/sessions/sign-in';
import type { Store } from '../../src/core/shared/store';
import { testDeps } from './core-deps';
import { createUserWithPassword, PASSWORD } from './users';

const THRESHOLD = 5;

/**
 * The store as a loaded database answers: each attempt's counting write starts after a random
 * wait of up to `spreadMs`, so the 20 attempts land over a spell longer than a bcrypt check,
 * and a right password's session (which starts the count over) can land between them.
 */
const spread = (store: Store, spreadMs: number): Store =>
  spreadMs === 0
    ? store
    : {
        ...store,
        recordLoginFailure: async (...args) => {
          await new Promise((resolve) => setTimeout(resolve, Math.random() * spreadMs));
          return store.recordLoginFailure(...args);
        },
      };

const guessAll = async (store: Store, guesses: string[]) => {
  const deps = testDeps({ LOCKOUT_THRESHOLD: String(THRESHOLD) }, store);
  await createUserWithPassword(deps, { email: 'guessed@example.com', username: 'guessed' });
  const signIn = (login: string, password: string) =>
    signInWithPassword(deps, { login, password }).then(
      () => 'ok',
      (error: { code: string }) => error.code,
    );
  const answers = await Promise.all(
    guesses.map((password, i) => signIn(i % 2 ? 'guessed' : 'guessed@example.com', password)),
  );
  const verdicts = answers.filter((a) => a !== 'too_many_attempts');
  // Every answer is a password verdict or the lock: nothing else (no conflict, no 503).
  expect(
    verdicts.every((a) => a === 'ok' || a === 'invalid_credentials'),
    String(answers),
  ).toBe(true);
  return { answers, verdicts, signIn };
};

/**
 * Invariant (b) of sign-in, in two parts, under parallel guesses by email and username at once:
 * 1. Twenty WRONG passwords: at most the threshold get a password verdict (invalid_credentials)
 *    and every other one is 429, though its bcrypt ran beside the counted attempt; the account
 *    is locked afterwards, so the right password is refused too.
 * 2. The right password among them: it may sign in only if it was counted before the lock, and
 *    then its session starts the count over (as a sign-in does in Cognito and Keycloak), so at
 *    most the threshold were counted before that session and the threshold after it: 2x in all.
 *    Refused, it learned nothing: the account is still locked and at most the threshold were
 *    answered.
 */
export const parallelGuesses = async (fresh: () => Promise<Store>, spreadMs = 0) => {
  const wrong = Array.from({ length: 20 }, (_, i) => `wrong guess ${i}!`);
  const blind = await guessAll(spread(await fresh(), spreadMs), wrong);
  expect(blind.verdicts.length, String(blind.answers)).toBeLessThanOrEqual(THRESHOLD);
  expect(await blind.signIn('guessed', PASSWORD)).toBe('too_many_attempts');

  const withRight = wrong.map((guess, i) => (i === 13 ? PASSWORD : guess));
  const mixed = await guessAll(spread(await fresh(), spreadMs), withRight);
  const signedIn = mixed.answers[13] === 'ok';
  expect(mixed.verdicts.length, String(mixed.answers)).toBeLessThanOrEqual(
    signedIn ? 2 * THRESHOLD : THRESHOLD,
  );
  if (!signedIn) expect(await mixed.signIn('guessed', PASSWORD)).toBe('too_many_attempts');
};
