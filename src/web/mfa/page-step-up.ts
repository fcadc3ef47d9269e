import { looksLikeRecoveryCode } from '../../core/mfa/recovery-codes';
import { looksLikeTotpCode } from '../../core/mfa/totp';
import type { StepUpProof } from '../../core/sessions/reauthentication';
import { sessionAuthTime } from '../../core/sessions/sessions';
import type { SessionRecord } from '../../core/shared/store';
import { html } from '../html';
import type { PageRequest } from '../page-handler';

/** The console's proof field (API.md, Proof): the password, or a TOTP or recovery code; `id` unique per form. */
export const proofField = (id: string) =>
  html`<label for="proof-${id}">Password or a code from your app</label>
<input id="proof-${id}" name="proof" type="password" autocomplete="current-password" aria-describedby="proof-${id}-hint">
<small id="proof-${id}-hint">Not needed within a few minutes of signing in.</small>`;

/**
 * The console form's step-up proof, for the one step-up rule (assertStepUp): a TOTP or
 * recovery code, else the password, and the browser session's sign-in time.
 */
export const pageStepUpProof = (request: PageRequest, session: SessionRecord): StepUpProof => {
  const proof = request.form.get('proof') ?? '';
  const code = proof.replace(/\s+/g, '').toLowerCase();
  const isCode = proof !== '' && (looksLikeTotpCode(code) || looksLikeRecoveryCode(code));
  return {
    ...(isCode ? { code } : proof ? { password: proof } : {}),
    authTime: sessionAuthTime(session),
  };
};
