import fc from 'fast-check';
import { noRequest } from '../../../src/core/audit/audit';
import { signInWithPassword } from '../../../src/core/sessions/sign-in';
import type { Store } from '../../../src/core/shared/store';
import type { Role } from '../../../src/core/users/roles';
import { createUser } from '../../../src/core/users/user-management';
import { addCredential, addSession, newPassword } from './acting';
import { applyOp } from './apply';
import { CHECKS, type Invariant } from './invariants';
import { type Op, opArbitrary, settingsArbitrary } from './ops';
import { emptyWorld, PEOPLE, type Person, type Settings, type World } from './world';

/** Staff the operator set up before anyone attacks: each chose their own password. */
const STAFF: { person: Person; email: string; role: Role }[] = [
  { person: 'root', email: 'owner@corp.test', role: 'owner' },
  { person: 'ada', email: 'ada@corp.test', role: 'admin' },
  { person: 'pat', email: 'pat@corp.test', role: 'viewer' },
];

export const setUpWorld = async (store: Store, settings: Settings): Promise<World> => {
  const world = emptyWorld(store, settings);
  // Sign-up is open in this world: anyone may hold the sign-up role without anyone's grant.
  for (const person of PEOPLE) world.entitled.set(person, world.deps.config.account.signUpRole);
  for (const { person, email, role } of STAFF) {
    const password = newPassword(world);
    const user = await createUser(
      world.deps,
      { kind: 'operator', name: 'cli' },
      { email, role, password },
      noRequest,
    );
    world.personOf.set(user.id, person);
    world.entitled.set(person, role);
    addCredential(world, {
      kind: 'password',
      secret: password,
      login: email,
      accountId: user.id,
      maker: person,
    });
    addSession(world, person, await signInWithPassword(world.deps, { login: email, password }));
  }
  return world;
};

/** Runs the steps, checking `invariant` after each one. */
export const runAttack = async (
  store: Store,
  invariant: Invariant,
  settings: Settings,
  ops: readonly Op[],
): Promise<World> => {
  const world = await setUpWorld(store, settings);
  const check = CHECKS[invariant];
  await check(world);
  for (const op of ops) {
    await applyOp(world, op);
    await check(world);
  }
  return world;
};

export const attackProperty = (
  invariant: Invariant,
  freshStore: () => Promise<Store>,
  maxSteps: number,
) =>
  fc.asyncProperty(
    settingsArbitrary,
    fc.array(opArbitrary, { minLength: 1, maxLength: maxSteps }),
    async (settings, ops) => {
      await runAttack(await freshStore(), invariant, settings, ops);
    },
  );
