import type { AuthenticationResponseJSON } from '@simplewebauthn/server';
import { type RequestMeta, recordAudit } from '../audit/audit';
import { credentialVersionOf } from '../sessions/credential-version';
import { assertStepUp, type StepUpProof, stepUpProofOf } from '../sessions/reauthentication';
import type { CoreDeps } from '../shared/deps';
import { madeInSession } from '../users/credential-lineage';
import { showUser } from '../users/public-user';
import { assertKeepsAnOwner, deleteUser, withNewPassword } from '../users/user-management';
import type { Actor } from '../users/user-policy';
import {
  displayForm,
  emailKey,
  type PublicUser,
  type UserRecord,
  usernameKey,
} from '../users/users';
import { startEmailChange } from './self-service';

type Self = Extract<Actor, { kind: 'user' }>;

/**
 * `POST /me/password`: step-up proof first (the current password, a code, or a recent sign-in
 * of the caller's session `keepSid`; 403 when wrong), then the policy; every other session
 * ends, the caller's stays. A user with neither password nor factor proves a recent sign-in.
 */
export const changeOwnPassword = async (
  deps: CoreDeps,
  self: Self,
  keepSid: string,
  request: {
    current_password?: string;
    code?: string;
    /** A WebAuthn assertion (its members are checked by the verifier, not by this type). */
    credential?: object;
    new_password: string;
  },
  meta: RequestMeta,
): Promise<void> => {
  const before = self.user;
  await assertStepUp(
    deps,
    before,
    await stepUpProofOf(deps, before.id, keepSid, {
      password: request.current_password,
      code: request.code,
      credential: request.credential as AuthenticationResponseJSON | undefined,
    }),
    meta,
  );
  // Set inside a tainted session, the new password keeps the taint (credential-lineage.ts);
  // otherwise it is as trustworthy as the old one (withNewPassword).
  const made = madeInSession(self.origin);
  const after = await withNewPassword(
    deps,
    before,
    request.new_password,
    'new_password',
    made === 'self' ? undefined : made,
  );
  // An imported refresh credential dies with any password change, even as the caller's own.
  const kept =
    keepSid && (await deps.store.getSession(keepSid))?.origin !== 'import' ? keepSid : undefined;
  await deps.store.updateUser(before, after);
  // The version moved (withNewPassword): the caller's own session carries on at the new one.
  if (kept) await deps.store.keepSessionAtVersion(kept, credentialVersionOf(after));
  const ended = await deps.store.revokeUserSessions(before.id, deps.clock.now(), { keepSid: kept });
  await recordAudit(deps, meta, {
    action: 'account.password_change',
    actorId: before.id,
    actorTokenId: self.tokenId,
    targetId: before.id,
    detail: { other_sessions_ended: ended },
  });
};

export interface ProfileChanges {
  name?: string | null;
  username?: string | null;
  email?: string;
}

/**
 * `PATCH /me`: name and username at once; a new email only once the mailed link to it is
 * used, so the answer still shows the old one.
 */
export const updateOwnProfile = async (
  deps: CoreDeps,
  self: Self,
  changes: ProfileChanges,
  meta: RequestMeta,
  proof: StepUpProof = { authTime: null },
): Promise<PublicUser> => {
  const before = self.user;
  const newEmail = changes.email === undefined ? null : displayForm(changes.email);
  const emailChanges = newEmail !== null && emailKey(newEmail) !== before.emailKey;
  // Invariant: a new address needs step-up proof, checked before anything is written (a
  // stolen access token must not move the account to its thief's mailbox).
  if (emailChanges) await assertStepUp(deps, before, proof, meta);
  let after: UserRecord = {
    ...before,
    ...(changes.name !== undefined ? { name: changes.name } : {}),
    ...(changes.username !== undefined
      ? {
          username: changes.username === null ? null : displayForm(changes.username),
          usernameKey: changes.username === null ? null : usernameKey(changes.username),
        }
      : {}),
  };
  const fields = (['name', 'username'] as const).filter((f) => before[f] !== after[f]);
  if (fields.length > 0) {
    after = { ...after, updatedAt: Math.max(deps.clock.now(), before.updatedAt + 1) };
    await deps.store.updateUser(before, after);
  }
  // A taken address answers as a free one (startEmailChange mails nothing for it).
  if (emailChanges) await startEmailChange(deps, after, newEmail, madeInSession(self.origin));
  if (fields.length > 0 || emailChanges) {
    await recordAudit(deps, meta, {
      action: 'account.update',
      actorId: before.id,
      actorTokenId: self.tokenId,
      targetId: before.id,
      detail: {
        fields: fields.join(' '),
        ...(emailChanges ? { email_change: 'awaiting verification' } : {}),
      },
    });
  }
  return showUser(deps, after);
};

/**
 * `DELETE /me`: step-up proof (the password, a code or a recent sign-in; 403 when wrong). The
 * last active owner cannot leave (409, which wins over 403).
 */
export const deleteOwnAccount = async (
  deps: CoreDeps,
  self: Self,
  proof: StepUpProof,
  meta: RequestMeta,
): Promise<void> => {
  const user = self.user;
  await assertKeepsAnOwner(deps, user, null);
  await assertStepUp(deps, user, proof, meta);
  await deleteUser(deps, self, user.id, meta, 'account.delete');
};
