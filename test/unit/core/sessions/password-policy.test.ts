import { describe, expect, it } from 'vitest';
import {
  assertPasswordAllowed,
  passwordProblem,
} from '../../../../src/core/sessions/password-policy';

const policy = { minLength: 12 };

describe('password policy', () => {
  it('takes any 12 to 128 characters without composition rules', async () => {
    expect(await passwordProblem('all lower case words', policy)).toBeNull();
    expect(await passwordProblem(`${'a'.repeat(11)}b`, policy)).toBeNull();
    expect(await passwordProblem('x'.repeat(128), policy)).toBeNull();
  });

  it('says what is wrong', async () => {
    expect(await passwordProblem('short', policy)).toBe('must be at least 12 characters long');
    expect(await passwordProblem('x'.repeat(129), policy)).toBe(
      'must be at most 128 characters long',
    );
    expect(await passwordProblem('qwerty123456', policy)).toBe('is too common; choose another');
    expect(await passwordProblem('QWERTY123456', policy)).toBe('is too common; choose another');
    expect(await passwordProblem('ann.example@x.org', policy, { email: 'ann.example@x.org' })).toBe(
      'must not be your email or username',
    );
  });

  it('counts characters, not bytes', async () => {
    expect(await passwordProblem('\u{1F600}'.repeat(12), policy)).toBeNull();
    expect(await passwordProblem('\u{1F600}'.repeat(11), policy)).not.toBeNull();
  });

  it('throws record_invalid naming the field', async () => {
    await expect(assertPasswordAllowed('new_password', 'short', policy)).rejects.toMatchObject({
      code: 'record_invalid',
      message: 'new_password must be at least 12 characters long.',
    });
  });
});
