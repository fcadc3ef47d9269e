import type {
  PublicKeyCredentialCreationOptionsJSON,
  RegistrationResponseJSON,
} from '@simplewebauthn/server';
import type { RequestMeta } from '../audit/audit';
import {
  confirmTotp,
  enrolTotp,
  listFactors,
  regenerateRecoveryCodes,
  registerWebAuthnFactor,
  removeFactor,
  webAuthnRegistrationOptions,
} from '../mfa';
import { markFirstFactorSession, sessionVerifiedFactor } from '../sessions/first-factor-session';
import { assertStepUp, type StepUpProof } from '../sessions/reauthentication';
import type { CoreDeps } from '../shared/deps';
import { madeInSession } from '../users/credential-lineage';
import type { Actor } from '../users/user-policy';
import { type FactorChange, factorNotice } from './account-emails';

type Self = Extract<Actor, { kind: 'user' }>;

/** The account's mail on a factor change: queued, so it never fails the change. */
const mailFactorNotice = (deps: CoreDeps, self: Self, change: FactorChange, name: string) =>
  deps.mail.enqueue([factorNotice(deps.config.issuerUrl, self.user.email, change, name)]);

/** `GET /me/mfa`: the caller's confirmed factors. */
export const listOwnFactors = (deps: CoreDeps, self: Self) => listFactors(deps, self.user.id);

/**
 * `POST /me/mfa/totp`: a pending TOTP factor after step-up proof. Invariant: no factor is
 * added without a proof (a stolen access token alone cannot plant its thief's authenticator).
 */
export const startOwnTotp = async (
  deps: CoreDeps,
  self: Self,
  name: string | undefined,
  proof: StepUpProof,
  meta: RequestMeta,
) => {
  await assertStepUp(deps, self.user, proof, meta);
  return enrolTotp(deps, self.user, name);
};

/**
 * `POST /me/mfa/totp/{factor_id}/confirm`: the pending factor (made after a proof) goes live
 * with a code from it; the account is mailed a notice. The first factor (the confirm answering
 * recovery codes) marks the caller's session `sid` as having verified it.
 */
export const confirmOwnTotp = async (
  deps: CoreDeps,
  self: Self,
  sid: string,
  factorId: string,
  code: string,
  meta: RequestMeta,
) => {
  const firstOnly = !(await sessionVerifiedFactor(deps, self.user, sid));
  const confirmed = await confirmTotp(deps, self.user, factorId, code, meta, firstOnly);
  if (confirmed.recovery_codes) await markFirstFactorSession(deps, self.user, sid, 'otp');
  await mailFactorNotice(deps, self, 'added', confirmed.factor.name);
  return confirmed;
};

/**
 * `POST /me/mfa/webauthn/options`: registration options after step-up proof. Invariant: no
 * factor is added without a proof (the 'register' challenge exists only after one).
 */
export const startOwnWebAuthn = async (
  deps: CoreDeps,
  self: Self,
  proof: StepUpProof,
  meta: RequestMeta,
): Promise<PublicKeyCredentialCreationOptionsJSON> => {
  await assertStepUp(deps, self.user, proof, meta);
  return webAuthnRegistrationOptions(deps, self.user);
};

/**
 * `POST /me/mfa/webauthn {credential, name?}`: the authenticator's answer to those options
 * becomes a confirmed factor (the first brings recovery codes, and marks the caller's session
 * `sid` as having verified it); the account is mailed a notice.
 */
export const finishOwnWebAuthn = async (
  deps: CoreDeps,
  self: Self,
  sid: string,
  credential: RegistrationResponseJSON,
  name: string | undefined,
  meta: RequestMeta,
) => {
  // The passkey's sessions inherit this session's lineage (credential-lineage.ts).
  const origin = madeInSession(self.origin);
  const firstOnly = !(await sessionVerifiedFactor(deps, self.user, sid));
  const added = await registerWebAuthnFactor(
    deps,
    self.user,
    credential,
    name,
    origin,
    meta,
    firstOnly,
  );
  if (added.recovery_codes) await markFirstFactorSession(deps, self.user, sid, 'hwk');
  await mailFactorNotice(deps, self, 'added', added.factor.name);
  return added;
};

/** `DELETE /me/mfa/{factor_id}`. Invariant: no factor is removed without a step-up proof. */
export const removeOwnFactor = async (
  deps: CoreDeps,
  self: Self,
  factorId: string,
  proof: StepUpProof,
  meta: RequestMeta,
): Promise<void> => {
  await assertStepUp(deps, self.user, proof, meta);
  const removed = await removeFactor(deps, self.user.id, factorId, meta);
  await mailFactorNotice(deps, self, 'removed', removed.name);
};

/** `POST /me/mfa/recovery-codes`. Invariant: no code set is renewed without a step-up proof. */
export const renewOwnRecoveryCodes = async (
  deps: CoreDeps,
  self: Self,
  proof: StepUpProof,
  meta: RequestMeta,
) => {
  await assertStepUp(deps, self.user, proof, meta);
  return regenerateRecoveryCodes(deps, self.user.id, meta);
};
