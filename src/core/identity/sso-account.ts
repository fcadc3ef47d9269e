import { type RequestMeta, recordAudit } from '../audit/audit';
import { nextCredentialVersion } from '../sessions/credential-version';
import type { CoreDeps } from '../shared/deps';
import { GatehouseError, isGatehouseError } from '../shared/errors';
import { newId } from '../shared/ids';
import { passwordOnRaise } from '../users/raise-rule';
import type { Role } from '../users/roles';
import { announcePending } from '../users/user-management';
import type { AttributeSource, UserRecord } from '../users/users';
import { emailKey, linkingOf, sameIdentity } from '../users/users';
import {
  auditLink,
  confirmRefused,
  type FederatedLogin,
  type LinkPlan,
  linkedIdentity,
  type ProviderFacts,
  planLink,
  raisesRole,
  removeCredentialsForTakeover,
  takenOver,
} from './account-linking';
import { loginPolicyFor } from './login-policy';
import type { SsoProfile } from './sso-sign-in';
import { type CleanUp, takeOverUnprovenAccount } from './takeover';

/** The account an SSO login signs in to: found, linked, taken over or created (API.md). */

/** Provider attributes replace the provider's earlier ones; an admin's stay as they are. */
const syncAttributes = (user: UserRecord, fromProvider: Record<string, string>) => {
  const sources: Record<string, AttributeSource> = { ...user.attributeSources };
  const attributes: Record<string, string> = {};
  for (const [key, value] of Object.entries(user.attributes)) {
    // Kept unless the provider set it and no longer sends it.
    if (sources[key] !== 'sso' || key in fromProvider) attributes[key] = value;
    else delete sources[key];
  }
  for (const [key, value] of Object.entries(fromProvider)) {
    if (sources[key] === 'admin') continue;
    attributes[key] = value;
    sources[key] = 'sso';
  }
  return { attributes, attributeSources: sources };
};

const sameJson = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** An existing account's sign-in changed under this one (a link, a new factor): start again. */
const changedDuringSignIn = () =>
  new GatehouseError('conflict', 'The account changed during this sign-in: sign in again.');

/**
 * THE one place a provider's facts (the link, role and group sync, profile, email proof) reach
 * an account: the linked user, else a proven email's account linked, else an unproven one taken
 * over, else a new account. `clearedFor`: the existing account whose gate the sign-in passed
 * (its second factor verified, or none due), or null. Invariant: a provider's login is written
 * only to the account cleared, or, when none was, to a new account, a takeover (which ends its
 * holder's factors) or an account with no factor; a gated login never lands anywhere else.
 * `cleanUp`: earlier credentials were ended (a takeover or a role raise), so the caller sweeps
 * once more after its session (takeover.ts sweepAfterSession).
 */
export const applyProviderFacts = async (
  deps: CoreDeps,
  facts: ProviderFacts,
  clearedFor: string | null,
  meta: RequestMeta,
  retried = false,
): Promise<{ user: UserRecord; cleanUp: CleanUp }> => {
  const { login, profile, mappedRole } = facts;
  const policy = loginPolicyFor(deps.config, login.identity.provider);
  const plan = await planLink(deps, login);
  try {
    if (plan.kind === 'create') {
      if (clearedFor !== null) throw changedDuringSignIn();
      const user = await createFromProvider(
        deps,
        login,
        profile,
        mappedRole ?? policy.defaultRole,
        meta,
      );
      return { user, cleanUp: null };
    }
    if (plan.kind === 'takeover') {
      // Gated logins finish only on the account they were gated for.
      if (clearedFor !== null) throw changedDuringSignIn();
    } else if (plan.user.id !== clearedFor) {
      // An account found only now (a concurrent first login made it) passed no gate: it may
      // take the facts only while it has no factor to verify.
      if (clearedFor !== null) throw changedDuringSignIn();
      if ((await deps.store.getMfaState(plan.user.id)).factors.length > 0) {
        throw changedDuringSignIn();
      }
    }
    if (plan.kind === 'confirm') {
      // Only the account's password (pending-link.ts) links an admin or owner by email.
      if (!facts.passwordConfirmed) throw confirmRefused();
      return await updateFromProvider(deps, { kind: 'link', user: plan.user }, facts, meta);
    }
    return await updateFromProvider(deps, plan, facts, meta);
  } catch (error) {
    // Someone else wrote the account meanwhile (two first logins, a sign-up): decide again.
    if (!retried && isGatehouseError(error) && error.code === 'conflict') {
      return applyProviderFacts(deps, facts, clearedFor, meta, true);
    }
    throw error;
  }
};

const createFromProvider = async (
  deps: CoreDeps,
  login: FederatedLogin,
  profile: SsoProfile,
  role: Role,
  meta: RequestMeta,
): Promise<UserRecord> => {
  const policy = loginPolicyFor(deps.config, login.identity.provider);
  const now = deps.clock.now();
  const user: UserRecord = {
    id: newId(),
    email: profile.email,
    emailKey: emailKey(profile.email),
    username: null,
    usernameKey: null,
    name: profile.name,
    role,
    status: policy.newUsers,
    type: 'human',
    groups: policy.syncGroups ? profile.groups : [],
    attributes: profile.attributes,
    attributeSources: Object.fromEntries(
      Object.keys(profile.attributes).map((key) => [key, 'sso' as const]),
    ),
    ssoLinkedAt: now,
    emailVerified: login.emailTrusted,
    emailSetBy: login.emailTrusted ? 'provider' : 'unknown',
    identities: [linkedIdentity(login, now)],
    passwordHash: null,
    passwordSetBy: null,
    createdAt: now,
    updatedAt: now,
    lastSignInAt: null,
  };
  await deps.store.createUser(user);
  await recordAudit(deps, meta, {
    action: 'sso.account_create',
    actorId: null,
    targetId: user.id,
    detail: { role, status: user.status, groups: user.groups.join(' '), ...login.identity },
  });
  if (user.status === 'pending') await announcePending(deps, user);
  return user;
};

/** Applies a login to an account it is (or now links to). */
const updateFromProvider = async (
  deps: CoreDeps,
  plan: Exclude<LinkPlan, { kind: 'create' | 'confirm' }>,
  { login, profile, mappedRole }: ProviderFacts,
  meta: RequestMeta,
): Promise<{ user: UserRecord; cleanUp: CleanUp }> => {
  const policy = loginPolicyFor(deps.config, login.identity.provider);
  const before = plan.user;
  if (before.type === 'machine') {
    throw new GatehouseError('forbidden', 'A machine user cannot sign in through SSO.');
  }
  const now = deps.clock.now();
  const takeover = plan.kind === 'takeover';
  const base = takeover
    ? {
        ...takenOver(before, login, now),
        // The trusted provider now vouches for the address a sign-up was waiting to prove.
        status: before.status === 'unverified' ? policy.newUsers : before.status,
      }
    : before;
  const { identities, emailVerified } = linkingOf(base);
  const linking = !identities.some(sameIdentity(login.identity));
  const email = await followedEmail(deps, before, login);
  const after: UserRecord = {
    ...base,
    ...(profile.name ? { name: profile.name } : {}),
    ...syncAttributes(before, profile.attributes),
    ...(policy.syncGroups ? { groups: profile.groups } : {}),
    ...(mappedRole ? { role: mappedRole } : {}),
    ...email,
    identities: linking ? [...identities, linkedIdentity(login, now)] : identities,
    // The provider vouches for the address the account now has, or it stays as it was.
    emailVerified:
      (login.emailTrusted &&
        (email.emailKey !== undefined || emailKey(login.email) === before.emailKey)) ||
      emailVerified,
    // The provider vouches that the address it asserts is this person's, whoever set it.
    // (An admin-set address stays admin-set: account-linking.ts takenOver.)
    ...(login.emailTrusted &&
    emailKey(login.email) === before.emailKey &&
    before.emailSetBy !== 'admin'
      ? { emailSetBy: 'provider' as const }
      : {}),
    ssoLinkedAt: before.ssoLinkedAt ?? now,
  };
  const raised = raisesRole(before.role, after.role);
  // The one "kept on raise" rule (raise-rule.ts), for every raise group sync makes.
  const withoutAdminPassword = raised ? passwordOnRaise(after) : {};
  const changed = JSON.stringify(before) !== JSON.stringify({ ...after, ...withoutAdminPassword });
  if (!changed) return { user: before, cleanUp: null };
  let saved: UserRecord = {
    ...after,
    ...withoutAdminPassword,
    // A takeover or a role change voids earlier sessions, links and codes (credential-version.ts).
    ...(takeover || after.role !== before.role ? nextCredentialVersion(before) : {}),
    updatedAt: Math.max(now, before.updatedAt + 1),
  };
  const cleanUp: CleanUp = takeover ? 'takeover' : raised ? 'raise' : null;
  // Before the raise (or takeover) is saved, so a failed clean-up leaves the old role and
  // the next login tries again: the earlier sessions and API tokens end, whoever made them
  // (the contract asks all API tokens of a sync raise), and remembered consents go.
  // A takeover ends every credential of the account's unproven holder, their factors too; a
  // raise (group sync) keeps them: invariant, no provider login ever removes a real owner's
  // second factor (red team, issue 15).
  if (takeover) await takeOverUnprovenAccount(deps, before.id, meta);
  else if (raised) await removeCredentialsForTakeover(deps, before.id, now);
  try {
    await deps.store.updateUser(before, saved);
  } catch (error) {
    // The provider may not demote the last active owner: keep the role, apply the rest.
    if (!(isGatehouseError(error) && error.code === 'conflict' && after.role !== before.role)) {
      throw error;
    }
    if (!(await isLastOwner(deps, before))) throw error;
    saved = { ...saved, role: before.role };
    await deps.store.updateUser(before, saved);
    await recordAudit(deps, meta, {
      action: 'sso.role_change',
      actorId: null,
      targetId: before.id,
      outcome: 'failure',
      detail: { from_role: before.role, to_role: after.role, reason: 'last_owner' },
    });
  }
  if (cleanUp) {
    // Again after saving: what a concurrent sign-in opened (or minted) meanwhile dies too.
    await Promise.all([
      deps.store.revokeUserSessions(before.id, now),
      deps.store.revokeUserApiTokens(before.id, now),
    ]);
  } else if (saved.role !== before.role) {
    // As for any role change: the user's earlier tokens stop within the revocation bound.
    await deps.store.revokeUserSessions(before.id, now);
  }
  if (linking || takeover) await auditLink(deps, meta, before.id, login, takeover);
  if (saved.role !== before.role) {
    await recordAudit(deps, meta, {
      action: 'sso.role_change',
      actorId: null,
      targetId: before.id,
      detail: {
        from_role: before.role,
        to_role: saved.role,
        ...(before.passwordHash && !saved.passwordHash ? { password_removed: true } : {}),
      },
    });
  }
  if (!sameJson(before.groups, saved.groups)) {
    await recordAudit(deps, meta, {
      action: 'sso.groups_change',
      actorId: null,
      targetId: before.id,
      detail: {
        added: saved.groups.filter((g) => !before.groups.includes(g)).join(' '),
        removed: before.groups.filter((g) => !saved.groups.includes(g)).join(' '),
      },
    });
  }
  return { user: saved, cleanUp };
};

const isLastOwner = async (deps: CoreDeps, user: UserRecord) =>
  user.role === 'owner' && user.status === 'active' && (await deps.store.countActiveOwners()) <= 1;

/**
 * A linked user's email follows the provider's trusted email when no account holds it (the
 * store refuses a taken one atomically again); otherwise it stays as it is.
 */
const followedEmail = async (
  deps: CoreDeps,
  before: UserRecord,
  login: FederatedLogin,
): Promise<{ email?: string; emailKey?: string; emailSetBy?: 'provider' }> => {
  const key = emailKey(login.email);
  if (!login.emailTrusted || key === before.emailKey) return {};
  if (await deps.store.findUserByEmail(key)) return {};
  return { email: login.email, emailKey: key, emailSetBy: 'provider' };
};
