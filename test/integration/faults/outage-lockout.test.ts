/**
 * Regression (red team 17): a fault after the password is verified (the session's write)
 * answers 503; the attempt counted up front must still be cleared, or a user retrying with the
 * RIGHT password during an outage is locked out (429) once the outage is over.
 */
import { beforeAll, expect, it } from 'vitest';
import { useFaultStack } from '../../support/fault-stack';
import { createUserWithPassword, PASSWORD } from '../../support/users';

const stack = useFaultStack();
const { call, faults } = stack;
let email: string;

beforeAll(async () => {
  email = (await createUserWithPassword(stack.deps, { role: 'viewer' })).email;
});

it('503s on the right password never lock the account', async () => {
  const signIn = () =>
    call('signIn', 'POST /auth/sign-in', { json: { login: email, password: PASSWORD } });
  faults.countFromNow();
  expect((await signIn()).status).toBe(200);
  const commands = faults.commands();
  // The session's own write (which also clears the count): the last call of a healthy sign-in.
  const sessionWrite = commands.lastIndexOf('TransactWriteItemsCommand') + 1;
  expect(sessionWrite).toBeGreaterThan(1);
  const statuses: number[] = [];
  for (let i = 0; i < 5; i++) {
    faults.fail('throttle', sessionWrite);
    statuses.push((await signIn()).status);
    faults.heal();
  }
  expect(statuses).toEqual([503, 503, 503, 503, 503]);
  const after = await signIn();
  expect(after.status, `${commands.join(',')} -> ${after.body}`).toBe(200);
});
