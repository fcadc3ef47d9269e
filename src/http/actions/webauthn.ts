import { finishOwnWebAuthn, startOwnWebAuthn } from '../../core/account/own-factors';
import { stepUpAssertionOptions } from '../../core/mfa';
import type { Action } from '../handler';
import { json } from '../responses';
import type { StepUpBody } from '../schemas';
import type { RegisterWebAuthnBody } from '../webauthn-schemas';
import { proofOf, requireSession } from './account-session';
import { registrationOf } from './webauthn-json';

// Every answer here is `Cache-Control: no-store` (responses.ts): recovery codes included.

/** `POST /me/mfa/webauthn/options`: registration options after step-up proof. */
export const webAuthnOptionsAction: Action = async (request) => {
  const session = await requireSession(request);
  const proof = await proofOf(request, session, request.body as StepUpBody);
  return json(200, await startOwnWebAuthn(request.deps, session.actor, proof, request.meta));
};

/** `POST /me/mfa/webauthn {credential, name?}`: 201 `{factor, recovery_codes?}`. */
export const registerWebAuthnAction: Action = async (request) => {
  const { actor, sid } = await requireSession(request);
  const { credential, name } = request.body as RegisterWebAuthnBody;
  const added = await finishOwnWebAuthn(
    request.deps,
    actor,
    sid,
    registrationOf(credential),
    name,
    request.meta,
  );
  return json(201, added);
};

/** `POST /me/mfa/webauthn/assertion-options`: a step-up challenge for a `credential` proof. */
export const stepUpAssertionOptionsAction: Action = async (request) => {
  const { actor } = await requireSession(request);
  return json(200, await stepUpAssertionOptions(request.deps, actor.user.id));
};
