/** MFA's public face: what routes, sign-in, the MFA grant and pages call (docs/mfa.md). */

export {
  clearFactors,
  forgetFactors,
  listFactors,
  regenerateRecoveryCodes,
  removeFactor,
  userMfaSummary,
} from './factor-management';
export type { FactorType, MfaFactorRecord, MfaState, WebAuthnCredential } from './factors';
export { assertMfaCode, issueMfaToken, verifyMfaCode } from './mfa-challenge';
export type { MfaStore } from './mfa-store';
export type { MfaLoginContext, MfaTokenRecord } from './mfa-tokens';
export { confirmTotp, enrolTotp } from './totp-enrolment';
export {
  mfaChallengeOptions,
  passkeyOptions,
  stepUpAssertionOptions,
  webAuthnRegistrationOptions,
} from './webauthn-options';
export { registerWebAuthnFactor } from './webauthn-registration';
export { assertMfaCredential, verifyMfaCredential, verifyPasskey } from './webauthn-verification';
