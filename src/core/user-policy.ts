import type { CredentialOrigin } from './credential-lineage';
import { GatehouseError } from './errors';
import { isAtLeast, type Role } from './roles';
import type { UserRecord } from './users';

/**
 * Who acts: a signed-in user, or an operator with direct access to the tables (the CLI, an
 * import at start-up), who is not bound by the role ceiling.
 */
export type Actor =
  | {
      kind: 'user';
      user: UserRecord;
      tokenId: string | null;
      /** The origin of the credential the request came in with; absent: unknown. */
      origin?: CredentialOrigin;
    }
  | { kind: 'operator'; name: string };

const forbidden = (message: string) => new GatehouseError('forbidden', message);

const ADMIN_MANAGEABLE: readonly Role[] = ['viewer', 'editor'];

export const actorId = (actor: Actor): string | null =>
  actor.kind === 'user' ? actor.user.id : null;

/** Who acted, for an audit event: an operator has no id, only `detail.via`. */
export const auditActor = (actor: Actor) => ({
  actorId: actorId(actor),
  actorTokenId: actor.kind === 'user' ? actor.tokenId : null,
});

export const operatorDetail = (actor: Actor): Record<string, string> =>
  actor.kind === 'operator' ? { via: actor.name } : {};

const isSelf = (actor: Actor, target: UserRecord) =>
  actor.kind === 'user' && actor.user.id === target.id;

/** Owners add users; admins do not (Mage's ceiling). */
export const assertCanCreate = (actor: Actor): void => {
  if (actor.kind === 'operator' || actor.user.role === 'owner') return;
  throw forbidden('Only an owner can add users.');
};

/** Owners manage everyone; admins manage viewers and editors; nobody else manages anyone. */
export const assertCanManage = (actor: Actor, target: UserRecord): void => {
  if (actor.kind === 'operator' || isSelf(actor, target)) return;
  const role = actor.user.role;
  if (role === 'owner') return;
  if (role === 'admin' && ADMIN_MANAGEABLE.includes(target.role)) return;
  throw forbidden(
    isAtLeast(role, 'admin')
      ? 'An admin manages only viewers and editors.'
      : 'Your role cannot manage users.',
  );
};

/** Changing someone else's role: admins only between viewer and editor; never your own. */
export const assertCanSetRole = (actor: Actor, target: UserRecord, role: Role): void => {
  if (isSelf(actor, target)) throw forbidden('Nobody changes their own role.');
  assertCanManage(actor, target);
  if (actor.kind === 'user' && actor.user.role === 'admin' && !ADMIN_MANAGEABLE.includes(role)) {
    throw forbidden('An admin can only make someone a viewer or an editor.');
  }
};

export const assertCanSetStatus = (actor: Actor, target: UserRecord): void => {
  if (isSelf(actor, target)) throw forbidden('Nobody changes their own status.');
  assertCanManage(actor, target);
};

/** Profile fields and passwords of others; your own go through /me. */
export const assertCanEdit = (actor: Actor, target: UserRecord): void => {
  if (isSelf(actor, target)) throw forbidden('Change your own account through /me.');
  assertCanManage(actor, target);
};

export const assertCanDelete = (actor: Actor, target: UserRecord): void => {
  if (isSelf(actor, target)) throw forbidden('Delete your own account through DELETE /me.');
  if (actor.kind === 'user' && actor.user.role !== 'owner') {
    throw forbidden('Only an owner can delete users.');
  }
};
