import * as z from 'zod/mini';
import { decodeCursor, encodeCursor } from '../shared/cursor';
import type { CoreDeps } from '../shared/deps';
import { Cursor, Limit } from '../shared/listing-query';
import { showUser } from './public-user';
import { ROLES } from './roles';
import {
  emailKey,
  type PublicUser,
  toPublicUser,
  type UserRecord,
  type UserStatus,
  usernameKey,
} from './users';

/** Every status a listing filters by. */
export const USER_STATUSES = [
  'active',
  'pending',
  'disabled',
  'unverified',
] as const satisfies readonly UserStatus[];

/** `GET /users`'s filters, the console's and the CLI's: one check for all three. */
export const ListUsersQuery = z.strictObject({
  limit: z.optional(Limit),
  cursor: z.optional(Cursor),
  q: z.optional(z.string().check(z.trim(), z.minLength(1), z.maxLength(254))),
  role: z.optional(z.enum(ROLES)),
  status: z.optional(z.enum(USER_STATUSES)),
});

export type ListUsersQuery = z.infer<typeof ListUsersQuery>;

export interface UserListing {
  users: PublicUser[];
  next_cursor: string | null;
}

export const listUsers = async (deps: CoreDeps, query: ListUsersQuery): Promise<UserListing> => {
  const prefix = query.q === undefined ? undefined : emailKey(query.q);
  const filters = JSON.stringify([prefix ?? null, query.role ?? null, query.status ?? null]);
  const page = await deps.store.listUsers({
    limit: query.limit ?? 50,
    ...(query.cursor ? { after: await decodeCursor(deps, query.cursor, filters) } : {}),
    ...(prefix ? { prefix } : {}),
    ...(query.role ? { role: query.role } : {}),
    ...(query.status ? { status: query.status } : {}),
  });
  return {
    // One Query per listed user for its `mfa` (docs/mfa.md), in parallel.
    users: await Promise.all(page.items.map((user) => showUser(deps, user))),
    next_cursor: page.next ? await encodeCursor(deps, page.next, filters) : null,
  };
};

/** A user by id, or null. */
export const findUser = (deps: CoreDeps, id: string): Promise<UserRecord | null> =>
  deps.store.getUser(id);

/** The users with these ids that still exist (an audit event may name a deleted one). */
export const usersWithIds = async (deps: CoreDeps, ids: string[]): Promise<PublicUser[]> => {
  const users = await Promise.all([...new Set(ids)].map((id) => deps.store.getUser(id)));
  return users
    .filter((user): user is UserRecord => user !== null)
    .map((user) => toPublicUser(user));
};

/** A user by id, email (anything with an '@') or username, as an operator names one. */
export const findUserByReference = async (
  deps: CoreDeps,
  reference: string,
): Promise<UserRecord | null> => {
  const key = reference.trim();
  if (key.includes('@')) return deps.store.findUserByEmail(emailKey(key));
  return (await deps.store.getUser(key)) ?? deps.store.findUserByUsername(usernameKey(key));
};
