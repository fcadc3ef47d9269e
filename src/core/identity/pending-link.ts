import type { OneTimeTokenRecord } from '../account/one-time-tokens';
import { type RequestMeta, recordAudit } from '../audit/audit';
import { MfaRequiredError, requireSecondFactor } from '../mfa/second-factor-gate';
import { credentialVersionOf } from '../sessions/credential-version';
import { accountLockoutKey } from '../sessions/lockout';
import { takePasswordAttempt } from '../sessions/password-attempt';
import { startSession, type TokenResponse } from '../sessions/sessions';
import { secretShape } from '../shared/base64url';
import type { CoreDeps } from '../shared/deps';
import { GatehouseError } from '../shared/errors';
import { randomSecret, sha256 } from '../shared/ids';
import type { Role } from '../users/roles';
import type { UserRecord } from '../users/users';
import { emailKey, linkingOf } from '../users/users';
import type { FederatedLogin, ProviderFacts } from './account-linking';
import { applyProviderFacts } from './sso-account';
import type { SsoProfile } from './sso-sign-in';
import { sweepAfterSession } from './takeover';

/**
 * A pending account link (API.md, Account linking; Keycloak's first-broker-login): an SSO
 * login whose email names an admin or owner account is not linked by email alone. The login
 * is remembered server-side for a few minutes, under a one-time token (stored as its SHA-256,
 * purpose `link_account`) that only the browser's HttpOnly cookie holds, and the hosted page
 * `/link-account` asks for the account's password.
 * Invariants:
 * - no identity is linked to an account without that account's password, checked under the
 *   account's sign-in lockout (a wrong password counts);
 * - every use spends the record (a single conditional write); a retry gets a new secret with
 *   the same expiry, so a replayed or copied cookie, or two posts at once, link nothing twice;
 * - the record links only the account it was made for, as it was: the email the provider
 *   asserted still the account's and proven, the identity still unlinked, the account active.
 */

export const PENDING_LINK_TTL_SECONDS = 600;
const PREFIX = 'glk_';
const SHAPE = secretShape([PREFIX]);

/** Where the browser goes once linked, as the SSO leg checked and stored it. */
export interface LinkHandoff {
  returnTo: string;
  /** The SSO flow's PKCE hand-off, when it had one: the code is issued after linking. */
  codeChallenge: string | null;
  clientId: string | null;
}

interface PendingPayload extends LinkHandoff {
  login: FederatedLogin;
  profile: SsoProfile;
  /** The role group sync gives (sso-sign-in.ts roleFromGroups), or null: left alone. */
  mappedRole: Role | null;
  /** The provider's `amr` when it is trusted for it (`trust_mfa`); absent: none. */
  providerAmr?: string[];
}

export interface PendingLink {
  /** The new secret the browser keeps (each use spends the previous one). */
  token: string;
  /** The email the provider asserted (the account's). */
  email: string;
  expiresAt: number;
  handoff: LinkHandoff;
}

const expired = () =>
  new GatehouseError(
    'record_invalid',
    'This account link has expired or was already used. Sign in through single sign-on again.',
  );

const store = async (
  deps: CoreDeps,
  userId: string,
  payload: PendingPayload,
  expiresAt: number,
): Promise<string> => {
  const token = `${PREFIX}${randomSecret()}`;
  await deps.store.createOneTimeToken({
    hash: sha256(token),
    purpose: 'link_account',
    userId,
    email: payload.login.email,
    createdAt: deps.clock.now(),
    expiresAt,
    usedAt: null,
    payload: JSON.stringify(payload),
  });
  return token;
};

/** The SSO leg: remembers the login for the account it would link to. */
export const startPendingLink = async (
  deps: CoreDeps,
  holder: UserRecord,
  { login, profile, mappedRole }: ProviderFacts,
  handoff: LinkHandoff,
  meta: RequestMeta,
  /** The provider's `amr` when it is trusted for it (`trust_mfa`), else none. */
  providerAmr: readonly string[] = [],
): Promise<PendingLink> => {
  const expiresAt = deps.clock.now() + PENDING_LINK_TTL_SECONDS * 1000;
  const payload = { ...handoff, login, profile, mappedRole, providerAmr: [...providerAmr] };
  const token = await store(deps, holder.id, payload, expiresAt);
  await recordAudit(deps, meta, {
    action: 'auth.sign_in',
    actorId: null,
    targetId: holder.id,
    outcome: 'failure',
    detail: { method: 'sso', reason: 'link_confirmation_needed', ...login.identity },
  });
  return { token, email: login.email, expiresAt, handoff };
};

/** Spends the record: the same record comes back once, then never. */
const spend = async (
  deps: CoreDeps,
  token: string,
): Promise<{ record: OneTimeTokenRecord; payload: PendingPayload }> => {
  if (!SHAPE.test(token)) throw expired();
  const now = deps.clock.now();
  const record = await deps.store.consumeOneTimeToken(sha256(token), now);
  if (record?.purpose !== 'link_account' || record.expiresAt <= now || !record.payload) {
    throw expired();
  }
  return { record, payload: JSON.parse(record.payload) as PendingPayload };
};

const renewed = async (
  deps: CoreDeps,
  record: OneTimeTokenRecord,
  payload: PendingPayload,
): Promise<PendingLink> => ({
  token: await store(deps, record.userId, payload, record.expiresAt),
  email: payload.login.email,
  expiresAt: record.expiresAt,
  handoff: {
    returnTo: payload.returnTo,
    codeChallenge: payload.codeChallenge,
    clientId: payload.clientId,
  },
});

/** The page: what to show, under a new secret (the old one is spent). */
export const viewPendingLink = async (deps: CoreDeps, token: string): Promise<PendingLink> => {
  const { record, payload } = await spend(deps, token);
  return renewed(deps, record, payload);
};

/** Cancel: the record is spent and nothing is linked. */
export const cancelPendingLink = async (deps: CoreDeps, token: string): Promise<void> => {
  await spend(deps, token).catch(() => undefined);
};

export type LinkOutcome =
  | {
      kind: 'linked';
      user: UserRecord;
      tokens: TokenResponse & { browserSession?: string };
      handoff: LinkHandoff;
      /** The session's RFC 8176 methods, for an app's code hand-off. */
      amr: string[];
    }
  /** The account has a factor: nothing is linked yet; the challenge page finishes with it. */
  | { kind: 'factor_due'; mfaToken: string; handoff: LinkHandoff }
  /** `retry`: the record renewed for another try (a wrong password, a lock), or null. */
  | { kind: 'refused'; error: GatehouseError; retry: PendingLink | null };

/** The account still is the one the record was made for, and may be linked and signed in. */
const stillLinkable = async (
  deps: CoreDeps,
  user: UserRecord | null,
  record: OneTimeTokenRecord,
  login: FederatedLogin,
): Promise<UserRecord> => {
  const changed = () =>
    new GatehouseError(
      'conflict',
      'The account changed since this single sign-on: nothing was linked. Sign in again.',
    );
  if (user?.type !== 'human') throw changed();
  if (user.emailKey !== emailKey(record.email) || !linkingOf(user).emailVerified) throw changed();
  const { provider, subject } = login.identity;
  const linked = await deps.store.findUserByIdentity(provider, subject);
  if (linked && linked.id !== user.id) throw changed();
  if (user.status === 'disabled') {
    throw new GatehouseError('account_disabled', 'This account is disabled.');
  }
  if (user.status !== 'active') throw changed();
  return user;
};

/**
 * `POST /link-account`: the account's password, under its sign-in lockout, then (after its
 * second factor, when it has one) the link and the same profile sync as a linked SSO login,
 * then a browser session.
 */
export const completePendingLink = async (
  deps: CoreDeps,
  token: string,
  password: string,
  meta: RequestMeta,
): Promise<LinkOutcome> => {
  const { record, payload } = await spend(deps, token);
  const failed = (reason: string) =>
    recordAudit(deps, meta, {
      action: 'auth.sign_in',
      actorId: record.userId,
      targetId: record.userId,
      outcome: 'failure',
      detail: { method: 'sso_link', reason },
    });
  const key = accountLockoutKey(record.userId);
  const locked = await takePasswordAttempt(deps, key, { userId: record.userId });
  if (locked > 0) {
    await failed('too_many_attempts');
    const error = new GatehouseError(
      'too_many_attempts',
      `Too many failed sign-in attempts. Try again in ${locked} seconds.`,
      locked,
    );
    return { kind: 'refused', error, retry: await renewed(deps, record, payload) };
  }
  const account = await deps.store.getUser(record.userId);
  const passwordOk = account?.passwordHash
    ? await deps.hasher.verify(password, account.passwordHash)
    : await deps.hasher.verifyDummy(password);
  if (!passwordOk) {
    // Counted already, when the attempt was taken.
    await failed('invalid_credentials');
    const error = new GatehouseError('invalid_credentials', 'The password is incorrect.');
    return { kind: 'refused', error, retry: await renewed(deps, record, payload) };
  }
  let user: UserRecord;
  try {
    // The account the password was checked on; the update below is conditional on it.
    user = await stillLinkable(deps, account, record, payload.login);
  } catch (error) {
    await failed((error as GatehouseError).code);
    return { kind: 'refused', error: error as GatehouseError, retry: null };
  }
  const { login, profile, mappedRole, returnTo, codeChallenge, clientId } = payload;
  const handoff = { returnTo, codeChallenge, clientId };
  const facts: ProviderFacts = { login, profile, mappedRole, passwordConfirmed: true };
  // The provider's methods when it is trusted for them (`trust_mfa`), as signInFederated's.
  const amr = [...(payload.providerAmr ?? [])];
  try {
    // Invariant: the password proved the account, not its second factor: with a factor, the
    // link and the sync wait in the mfa_token until the factor is verified (sso-account.ts),
    // unless the provider is trusted for MFA and did one (as signInFederated).
    if (!amr.includes('mfa')) {
      await requireSecondFactor(deps, user.id, {
        method: 'sso',
        clientId: null,
        sid: null,
        amr: [],
        credentialVersion: credentialVersionOf(user),
        provider: facts,
      });
    }
  } catch (error) {
    if (!(error instanceof MfaRequiredError)) throw error;
    return { kind: 'factor_due', mfaToken: error.mfaToken, handoff };
  }
  const synced = await applyProviderFacts(deps, facts, user.id, meta);
  const tokens = await startSession(deps, synced.user, null, {
    browser: true,
    meta,
    ...(amr.length > 0 ? { amr } : {}),
    // Only a completed sign-in clears the count, in the session's own write.
    clearsLoginFailures: key,
  });
  // As a linked SSO login: after a role raise, only the new session survives.
  const sid = tokens.browserSession?.split('.')[0];
  await sweepAfterSession(deps, synced.cleanUp, synced.user.id, meta, sid);
  await recordAudit(deps, meta, {
    action: 'auth.sign_in',
    actorId: synced.user.id,
    targetId: synced.user.id,
    outcome: 'success',
    detail: { method: 'sso_link' },
  });
  return { kind: 'linked', user: synced.user, tokens, handoff, amr };
};
