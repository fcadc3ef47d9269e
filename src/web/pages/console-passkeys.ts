import * as z from 'zod/mini';
import { finishOwnWebAuthn, startOwnWebAuthn } from '../../core/account/own-factors';
import { stepUpAssertionOptions } from '../../core/mfa';
import { json } from '../../http/responses';
import { RegisterWebAuthnBody } from '../../http/webauthn-schemas';
import { checked, given } from '../forms';
import { html } from '../html';
import { alert, csrfField, field, onceField } from '../layout';
import { consolePage, orRefuse } from '../mfa/console-form';
import { registrationFields } from '../mfa/credential-field';
import { hasKeyFactor, keyProofAttributes, pageStepUpProof, proofField } from '../mfa/page-step-up';
import { recoveryCodesBody } from '../mfa/recovery-codes-view';
import { hiddenField, webauthnForm } from '../mfa/webauthn-markup';
import { withNotice } from '../notices';
import {
  assertFirstPost,
  type PageAction,
  type PageRequest,
  page,
  seeOther,
} from '../page-handler';
import { signedInActor } from './console';

/**
 * The console's "Add a passkey or security key" (API.md, MFA): a name and the step-up proof
 * first, as for an authenticator app; then the server's registration options go to the page
 * script, whose answer registers the key, confirmed at once.
 */

const TITLE = 'Add a passkey or security key';
const FINISH = '/console/mfa/webauthn/finish';

/** The name, checked before any ceremony as `POST /me/mfa/webauthn` will check it after. */
const FactorName = z.strictObject({ name: RegisterWebAuthnBody.shape.name });
const nameOf = (request: PageRequest) => {
  const name = given(request.form, 'name');
  return name ? checked(FactorName, { name }).name : undefined;
};

const startForm = (
  request: PageRequest,
  hasKey: boolean,
) => html`<form method="post" action="/console/mfa/webauthn"${keyProofAttributes(hasKey)}>
  ${csrfField(request.csrf)}${onceField()}
  ${field('Name', 'name', { hint: 'Which key or device, e.g. “Laptop” or “YubiKey”.' })}
  ${proofField('add-key', hasKey)}
  <button type="submit">Continue</button>
</form>`;

export const passkeyEnrolPage: PageAction = async (request) => {
  const { user } = signedInActor(request);
  const form = startForm(request, await hasKeyFactor(request.deps, user.id));
  return page(200, consolePage(request, user, TITLE, form));
};

const createForm = (request: PageRequest, optionsJSON: unknown, name: string | undefined) =>
  webauthnForm({
    action: FINISH,
    ceremony: 'register',
    csrf: request.csrf,
    button: 'Create the passkey',
    optionsJSON,
    fields: name ? hiddenField('name', name) : [],
  });

/** After the proof: the options (their challenge lives 300 s) and the button that uses them. */
export const passkeyOptionsSubmit: PageAction = async (request) => {
  const { actor, user, session } = signedInActor(request);
  const hasKey = await hasKeyFactor(request.deps, user.id);
  const again = (error: string) =>
    consolePage(request, user, TITLE, html`${alert(error)}${startForm(request, hasKey)}`);
  return orRefuse(async () => {
    const name = nameOf(request);
    await assertFirstPost(request);
    const options = await startOwnWebAuthn(
      request.deps,
      actor,
      pageStepUpProof(request, session),
      request.meta,
    );
    const body = html`<p>Press the button, then follow your browser: it may ask for your
fingerprint, face, screen lock or to touch your security key.</p>
${createForm(request, options, name)}
<p><a href="/console">Cancel</a></p>`;
    return page(200, consolePage(request, user, TITLE, body));
  }, again);
};

/** `POST /console/mfa/step-up-options`: options for proving oneself with a key (JSON). */
export const stepUpOptionsRoute: PageAction = async (request) => {
  const { user } = signedInActor(request);
  return json(200, await stepUpAssertionOptions(request.deps, user.id));
};

export const passkeyFinishSubmit: PageAction = async (request) => {
  const { actor, user, session } = signedInActor(request);
  const again = (error: string) =>
    consolePage(
      request,
      user,
      TITLE,
      html`${alert(error)}<p><a href="/console/mfa/webauthn">Start again</a></p>`,
    );
  return orRefuse(async () => {
    const { credential, name } = registrationFields(request);
    // The first key, registered in this session, marks this one only (own-factors.ts).
    const added = await finishOwnWebAuthn(
      request.deps,
      actor,
      session.sid,
      credential,
      name,
      request.meta,
    );
    if (!added.recovery_codes) return seeOther(withNotice('/console', 'passkey_added'));
    return page(
      201,
      consolePage(request, user, 'Recovery codes', recoveryCodesBody(added.recovery_codes)),
    );
  }, again);
};
