import { noRequest } from '../../src/core/audit/audit';
import type { CoreDeps } from '../../src/core/shared/deps';
import { newId } from '../../src/core/shared/ids';
import type { Role } from '../../src/core/users/roles';
import { createUser, type NewUser } from '../../src/core/users/user-management';
import type { Actor } from '../../src/core/users/user-policy';
import {
  emailKey,
  type UserRecord,
  type UserStatus,
  usernameKey,
} from '../../src/core/users/users';

export const aUser = (overrides: Partial<UserRecord> = {}): UserRecord => {
  const id = overrides.id ?? newId();
  const email = overrides.email ?? `user-${id.slice(0, 8)}@example.com`;
  const username = overrides.username === undefined ? `user-${id.slice(0, 8)}` : overrides.username;
  return {
    id,
    email,
    emailKey: emailKey(email),
    username,
    usernameKey: username === null ? null : usernameKey(username),
    name: 'Test User',
    role: 'viewer',
    status: 'active',
    type: 'human',
    groups: [],
    attributes: {},
    passwordHash: null,
    createdAt: Date.UTC(2026, 0, 1),
    updatedAt: Date.UTC(2026, 0, 1),
    lastSignInAt: null,
    ...overrides,
  };
};

export const PASSWORD = 'correct horse battery staple';

/** Stores a user with PASSWORD (hashed by the deps' hasher). */
export const createUserWithPassword = async (
  deps: CoreDeps,
  options: { role?: Role; status?: UserStatus; email?: string; username?: string } = {},
): Promise<UserRecord> => {
  const user = aUser({ ...options, passwordHash: await deps.hasher.hash(PASSWORD) });
  await deps.store.createUser(user);
  return user;
};

/** Creates a user through the core use case, as `actor` would, and answers its stored record. */
export const createdUser = async (
  deps: CoreDeps,
  actor: Actor,
  input: NewUser,
): Promise<UserRecord> =>
  (await deps.store.getUser((await createUser(deps, actor, input, noRequest)).id)) as UserRecord;
