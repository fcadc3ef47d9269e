import { expect } from 'vitest';
import { signInWithPassword } from '../../src/core/sessions/sign-in';
import type { Store } from '../../src/core/shared/store';
import { testDeps } from './core-deps';
import { createUserWithPassword, PASSWORD } from './users';

/**
 * Invariant (b) of sign-in: 20 guesses at once, 20 different passwords (the right one among
 * them), threshold 5: at most 5 get a password verdict (a token or invalid_credentials); every
 * other one is 429, whatever its password, though its bcrypt ran beside the counted attempt.
 */
export const parallelGuesses = async (store: Store) => {
  const deps = testDeps({ LOCKOUT_THRESHOLD: '5' }, store);
  await createUserWithPassword(deps, { email: 'guessed@example.com', username: 'guessed' });
  const guesses = Array.from({ length: 20 }, (_, i) => (i === 13 ? PASSWORD : `wrong guess ${i}!`));
  const answers = await Promise.all(
    guesses.map((password, i) =>
      signInWithPassword(deps, {
        login: i % 2 ? 'guessed' : 'guessed@example.com',
        password,
      }).then(
        () => 'ok',
        (error: { code: string }) => error.code,
      ),
    ),
  );
  const verdicts = answers.filter((a) => a !== 'too_many_attempts');
  expect(verdicts.length).toBeLessThanOrEqual(5);
  expect(verdicts.every((a) => a === 'ok' || a === 'invalid_credentials')).toBe(true);
  expect(answers.filter((a) => a === 'too_many_attempts').length).toBe(20 - verdicts.length);
  // A right password among the refused ones learned nothing: the account is still locked.
  const after = await signInWithPassword(deps, { login: 'guessed', password: PASSWORD }).then(
    () => 'ok',
    (error: { code: string }) => error.code,
  );
  expect(after).toBe(answers[13] === 'ok' ? 'ok' : 'too_many_attempts');
};
