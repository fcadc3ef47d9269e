import { type RequestMeta, recordAudit } from '../audit/audit';
import { requireSecondFactor } from '../mfa/second-factor-gate';
import { credentialVersionOf } from '../sessions/credential-version';
import { assertMaySignIn, startSession, type TokenResponse } from '../sessions/sessions';
import type { CoreDeps } from '../shared/deps';
import { GatehouseError, isGatehouseError } from '../shared/errors';
import type { UserRecord } from '../users/users';
import {
  confirmRefused,
  type FederatedLogin,
  type ProviderFacts,
  planLink,
  ssoLogin,
} from './account-linking';
import {
  attributesFromClaims,
  claimEmail,
  claimGroups,
  claimText,
  type SsoProfile,
} from './claim-profile';
import { loginPolicyFor, roleFromGroups } from './login-policy';
import { type LinkHandoff, type PendingLink, startPendingLink } from './pending-link';
import { applyProviderFacts } from './sso-account';
import type { SsoConfig } from './sso-config';
import { type SsoClaims, type SsoTokenVerifier, ssoReplayKey } from './sso-token';
import { sweepAfterSession } from './takeover';

export type { SsoProfile } from './claim-profile';

// Registered JWT claims: not attributes.
const NOT_ATTRIBUTES = new Set(['iss', 'sub', 'aud', 'exp', 'nbf', 'iat', 'jti', 'groups']);

const refused = (message: string) => new GatehouseError('token_invalid', message);

export const profileFromClaims = (claims: SsoClaims, config: SsoConfig): SsoProfile => {
  const { email: emailClaim, firstName, lastName } = config.attributes;
  const email = claimEmail(claims[emailClaim]);
  if (!email) throw refused(`The SSO token has no usable ${emailClaim} claim.`);
  const name = [claimText(claims[firstName]), claimText(claims[lastName])]
    .filter(Boolean)
    .join(' ');
  const skip = new Set([...NOT_ATTRIBUTES, emailClaim, firstName, lastName]);
  return {
    email,
    name: name.slice(0, 200) || null,
    groups: claimGroups(claims.groups),
    attributes: attributesFromClaims(claims, skip),
  };
};

export interface SsoSignIn {
  tokens: TokenResponse & { browserSession?: string };
  user: UserRecord;
  /** The session's RFC 8176 methods (a `trust_mfa` provider's), for an app's code hand-off. */
  amr: string[];
}

/**
 * JWT SSO (API.md): verify, accept each token once, then create, link or update the account
 * and open a session. Every refusal happens before anything is written.
 */
export const signInWithSso = async (
  deps: CoreDeps,
  verify: SsoTokenVerifier,
  token: string,
  meta: RequestMeta,
): Promise<SsoSignIn> => {
  const outcome = await ssoSignInOrConfirm(deps, verify, token, meta, null);
  if ('pending' in outcome) throw new GatehouseError('internal', 'unreachable');
  return outcome;
};

/**
 * The browser's SSO callback: as `signInWithSso`, but a login that would link an admin or
 * owner account by email alone (409 elsewhere) becomes a pending link the hosted page
 * `/link-account` finishes with the account's password (pending-link.ts). `handoff` null:
 * no page can ask, so 409.
 */
export const ssoSignInOrConfirm = async (
  deps: CoreDeps,
  verify: SsoTokenVerifier,
  token: string,
  meta: RequestMeta,
  handoff: LinkHandoff | null,
): Promise<SsoSignIn | { pending: PendingLink }> => {
  const config = deps.config.sso;
  if (!config) throw new GatehouseError('not_found', 'SSO is not set up.');
  const failed = (reason: string, userId: string | null = null) =>
    recordAudit(deps, meta, {
      action: 'auth.sign_in',
      actorId: userId,
      targetId: userId,
      outcome: 'failure',
      detail: { method: 'sso', reason },
    });
  let claims: SsoClaims;
  let profile: SsoProfile;
  try {
    claims = await verify(token);
    profile = profileFromClaims(claims, config);
  } catch (error) {
    await failed(isGatehouseError(error) ? error.message : 'unverifiable');
    throw error;
  }
  // Once: a replayed token is refused even while it is still fresh, keyed on its decoded
  // content (any spelling, any signature of it); the verifier took canonical spellings only.
  const replayKey = `sso#${ssoReplayKey(token)}`;
  if (!(await deps.store.markOnce(replayKey, claims.exp * 1000, deps.clock.now()))) {
    await failed('replayed');
    throw refused('This SSO token has already been used.');
  }

  const login = ssoLogin(token, claims, profile.email);
  return signInFederated(deps, login, profile, meta, handoff, 'sso');
};

/**
 * A federated login whose token the caller has verified and spent (JWT SSO, an OIDC
 * provider): account linking, the provider's policy for roles and groups, then a session.
 * `handoff` null: no hosted page can ask for an admin's password, so such a link is 409.
 */
export const signInFederated = async (
  deps: CoreDeps,
  login: FederatedLogin,
  profile: SsoProfile,
  meta: RequestMeta,
  handoff: LinkHandoff | null,
  method: 'sso' | 'oidc',
  /** The provider's `amr` when it is trusted for it (`trust_mfa`), else none (API.md, MFA). */
  providerAmr: readonly string[] = [],
): Promise<SsoSignIn | { pending: PendingLink }> => {
  const failed = (reason: string, userId: string | null = null) =>
    recordAudit(deps, meta, {
      action: 'auth.sign_in',
      actorId: userId,
      targetId: userId,
      outcome: 'failure',
      detail: { method, reason, provider: login.identity.provider },
    });
  const mappedRole = roleFromGroups(
    profile.groups,
    loginPolicyFor(deps.config, login.identity.provider),
  );
  const facts: ProviderFacts = { login, profile, mappedRole };
  const mayEnter = async (user: UserRecord) => {
    try {
      assertMaySignIn(user);
    } catch (error) {
      await failed(isGatehouseError(error) ? error.code : 'refused', user.id);
      throw error;
    }
  };
  const plan = await planLink(deps, login);
  if (plan.kind === 'confirm') {
    if (!handoff) throw confirmRefused();
    const pending = await startPendingLink(deps, plan.user, facts, handoff, meta, providerAmr);
    return { pending };
  }
  // The account this login is, as it stands: a takeover ends its holder's factors, a new one has none.
  const holder = plan.kind === 'linked' || plan.kind === 'link' ? plan.user : null;
  if (holder) {
    await mayEnter(holder);
    // Invariant: nothing of this login (link, role or group sync, profile, email proof) is
    // written to an account with a factor before it is verified, unless the provider is
    // trusted for MFA and did one: the facts wait in the mfa_token for the hosted page.
    if (!providerAmr.includes('mfa')) {
      await requireSecondFactor(deps, holder.id, {
        method: method === 'oidc' ? 'federated' : 'sso',
        clientId: null,
        sid: null,
        amr: [],
        credentialVersion: credentialVersionOf(holder),
        provider: facts,
      });
    }
  }
  const { user, cleanUp } = await applyProviderFacts(deps, facts, holder?.id ?? null, meta);
  await mayEnter(user);
  const tokens = await startSession(deps, user, null, {
    browser: true,
    origin: 'sso',
    meta,
    ...(providerAmr.length > 0 ? { amr: [...providerAmr] } : {}),
  });
  // Again after the new session: one a concurrent sign-in opened with an old password dies.
  await sweepAfterSession(deps, cleanUp, user.id, meta, tokens.browserSession?.split('.')[0]);
  await recordAudit(deps, meta, {
    action: 'auth.sign_in',
    actorId: user.id,
    targetId: user.id,
    outcome: 'success',
    detail: { method, provider: login.identity.provider },
  });
  return { tokens, user, amr: [...providerAmr] };
};
