import { listFactors } from '../../core/mfa';
import { looksLikeRecoveryCode } from '../../core/mfa/recovery-codes';
import { looksLikeTotpCode } from '../../core/mfa/totp';
import type { StepUpProof } from '../../core/sessions/reauthentication';
import { sessionAmr, sessionAuthTime } from '../../core/sessions/sessions';
import type { CoreDeps } from '../../core/shared/deps';
import type { SessionRecord } from '../../core/shared/store';
import { html } from '../html';
import type { PageRequest } from '../page-handler';
import { assertionField } from './credential-field';

/** Where the page script gets a step-up assertion's options (a 'step-up' challenge of the user). */
export const STEP_UP_OPTIONS_PATH = '/console/mfa/step-up-options';

/** Whether the user has a passkey or security key to prove themselves with. */
export const hasKeyFactor = async (deps: CoreDeps, userId: string) =>
  (await listFactors(deps, userId)).factors.some((factor) => factor.type === 'webauthn');

/** A proof form's attributes when the user has a key: the page script can prove with it. */
export const keyProofAttributes = (hasKey: boolean) =>
  hasKey ? html` data-webauthn="authenticate" data-options-url="${STEP_UP_OPTIONS_PATH}"` : '';

/** The key's button (shown by the script), the assertion's field and what the script says. */
const keyProof = html`<input type="hidden" name="credential" value="">
<button type="button" class="secondary" data-webauthn-start hidden>Confirm with your passkey or security key</button>
<p class="hint" data-webauthn-status role="status" hidden></p>`;

/**
 * The console's proof field (API.md, Proof): the password, or a TOTP or recovery code, or with
 * `hasKey` (and keyProofAttributes on the form) a passkey's assertion; `id` unique per form.
 */
export const proofField = (id: string, hasKey = false) =>
  html`<label for="proof-${id}">Password or a code from your app</label>
<input id="proof-${id}" name="proof" type="password" autocomplete="current-password" aria-describedby="proof-${id}-hint">
<small id="proof-${id}-hint">Not needed within a few minutes of signing in.</small>${hasKey ? keyProof : ''}`;

/**
 * The console form's step-up proof, for the one step-up rule (assertStepUp): a passkey's
 * assertion, a TOTP or recovery code, else the password, and the browser session's sign-in time.
 */
export const pageStepUpProof = (request: PageRequest, session: SessionRecord): StepUpProof => {
  const proof = request.form.get('proof') ?? '';
  const code = proof.replace(/\s+/g, '').toLowerCase();
  const isCode = proof !== '' && (looksLikeTotpCode(code) || looksLikeRecoveryCode(code));
  const credential = request.form.get('credential') ? { credential: assertionField(request) } : {};
  return {
    ...(isCode ? { code } : proof ? { password: proof } : {}),
    ...credential,
    authTime: sessionAuthTime(session),
    amr: sessionAmr(session),
  };
};
