import type { PasswordHasher } from '../../src/core/sessions/password-hasher';

/**
 * A hasher whose next `verify` (once armed) parks after answering, until released: the bcrypt
 * window of a real sign-in, so a test can finish a revoking action inside it.
 */
export const gatedHasher = (inner: PasswordHasher) => {
  let gate: Promise<void> | null = null;
  let release = () => {};
  let entered = () => {};
  const hasher: PasswordHasher = {
    ...inner,
    verify: async (password, hash) => {
      const result = await inner.verify(password, hash);
      if (gate) {
        const wait = gate;
        gate = null;
        entered();
        await wait;
      }
      return result;
    },
  };
  return {
    hasher,
    /** Arms the gate; resolves once a verify is parked in it. */
    arm: () => {
      gate = new Promise<void>((done) => {
        release = done;
      });
      return new Promise<void>((done) => {
        entered = done;
      });
    },
    release: () => release(),
  };
};
