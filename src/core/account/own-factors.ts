import type { RequestMeta } from '../audit/audit';
import { confirmTotp, enrolTotp, listFactors, regenerateRecoveryCodes, removeFactor } from '../mfa';
import { assertStepUp, type StepUpProof } from '../sessions/reauthentication';
import type { CoreDeps } from '../shared/deps';
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
 * with a code from it; the account is mailed a notice.
 */
export const confirmOwnTotp = async (
  deps: CoreDeps,
  self: Self,
  factorId: string,
  code: string,
  meta: RequestMeta,
) => {
  const confirmed = await confirmTotp(deps, self.user, factorId, code, meta);
  await mailFactorNotice(deps, self, 'added', confirmed.factor.name);
  return confirmed;
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
