import { assertMfaCode } from '../../core/mfa/mfa-challenge';
import { looksLikeRecoveryCode } from '../../core/mfa/recovery-codes';
import { looksLikeTotpCode } from '../../core/mfa/totp';
import { assertStepUp } from '../../core/sessions/reauthentication';
import { sessionAuthTime } from '../../core/sessions/sessions';
import type { SessionRecord } from '../../core/shared/store';
import type { UserRecord } from '../../core/users/users';
import { html } from '../html';
import type { PageRequest } from '../page-handler';

/** The console's proof field (API.md, Proof): the password, or a TOTP or recovery code; `id` unique per form. */
export const proofField = (id: string) =>
  html`<label for="proof-${id}">Password or a code from your app</label>
<input id="proof-${id}" name="proof" type="password" autocomplete="current-password" aria-describedby="proof-${id}-hint">
<small id="proof-${id}-hint">Not needed within a few minutes of signing in.</small>`;

/**
 * Step-up for a factor change or new recovery codes: a code (spent once, a wrong one counted
 * toward the lockout), the password (counted too), or a sign-in within REAUTH_MAX_AGE_SECONDS.
 * Invariant: a browser session older than that, alone, changes no factor.
 */
export const assertPageStepUp = async (
  request: PageRequest,
  user: UserRecord,
  session: SessionRecord,
): Promise<void> => {
  const proof = request.form.get('proof') ?? '';
  const code = proof.replace(/\s+/g, '').toLowerCase();
  if (proof && (looksLikeTotpCode(code) || looksLikeRecoveryCode(code))) {
    await assertMfaCode(request.deps, user.id, code, request.meta);
    return;
  }
  await assertStepUp(request.deps, user, {
    ...(proof ? { password: proof } : {}),
    authTime: sessionAuthTime(session),
  });
};
