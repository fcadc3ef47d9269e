import { renderSVG } from 'uqr';
import {
  confirmOwnTotp,
  removeOwnFactor,
  renewOwnRecoveryCodes,
  startOwnTotp,
} from '../../core/account/own-factors';
import { type enrolTotp, listFactors } from '../../core/mfa';
import type { UserRecord } from '../../core/users/users';
import { Html, html } from '../html';
import { alert, csrfField, field, onceField } from '../layout';
import { consolePage, orRefuse } from '../mfa/console-form';
import { hasKeyFactor, keyProofAttributes, pageStepUpProof, proofField } from '../mfa/page-step-up';
import { recoveryCodesBody } from '../mfa/recovery-codes-view';
import { withNotice } from '../notices';
import {
  assertFirstPost,
  type PageAction,
  type PageRequest,
  page,
  seeOther,
} from '../page-handler';
import { stackTable } from '../tables';
import { signedInActor } from './console';
import { timeTag } from './console-shared';

/**
 * The console's two-factor pages (API.md, MFA): the factors list, adding an authenticator app
 * (QR code rendered here as SVG: no outside service sees the secret), removing a factor and new
 * recovery codes. Every change asks for the step-up proof (page-step-up.ts).
 */

const TITLE = 'Two-factor authentication';

/** The console's section: the factors, with Remove, and the ways to add one or new codes. */
export const mfaSection = async (request: PageRequest, user: UserRecord) => {
  const { factors } = await listFactors(request.deps, user.id);
  const hasKey = factors.some((factor) => factor.type === 'webauthn');
  const table = stackTable({
    caption: 'Your second factors',
    columns: [
      { label: 'Name', width: 'm' },
      { label: 'Type', width: 'm' },
      { label: 'Added', width: 's' },
      { label: 'Last used', width: 's' },
      { label: 'Actions', width: 's', hiddenLabel: true },
    ],
    rows: factors.map((f) => [
      f.name,
      f.type === 'totp' ? 'Authenticator app' : 'Passkey or security key',
      timeTag(f.created_at),
      timeTag(f.last_used_at),
      html`<form method="post" action="/console/mfa/${f.factor_id}/remove" class="inline" data-confirm="Remove this factor?"${keyProofAttributes(hasKey)}>
    ${csrfField(request.csrf)}${proofField(`remove-${f.factor_id}`, hasKey)}
    <button type="submit" class="danger">Remove</button></form>`,
    ]),
    empty: 'No second factor yet: a password alone signs you in.',
  });
  const codes = factors.length
    ? html`<form method="post" action="/console/mfa/recovery-codes"${keyProofAttributes(hasKey)}>
  ${csrfField(request.csrf)}${onceField()}${proofField('codes', hasKey)}
  <button type="submit" class="secondary">New recovery codes</button>
</form>`
    : '';
  return html`<section aria-labelledby="mfa-heading">
<h2 id="mfa-heading">${TITLE}</h2>
${table}
<ul class="sign-in-options" aria-label="Add a second factor">
<li><a href="/console/mfa/totp">Add an authenticator app</a></li>
<li><a href="/console/mfa/webauthn">Add a passkey or security key</a></li>
</ul>
${codes}
</section>`;
};

const startForm = (
  request: PageRequest,
  hasKey: boolean,
) => html`<form method="post" action="/console/mfa/totp"${keyProofAttributes(hasKey)}>
  ${csrfField(request.csrf)}${onceField()}
  ${field('Name', 'name', { hint: 'Which app or device, e.g. “Phone”.' })}
  ${proofField('add', hasKey)}
  <button type="submit">Continue</button>
</form>`;

export const enrolPage: PageAction = async (request) => {
  const { user } = signedInActor(request);
  const form = startForm(request, await hasKeyFactor(request.deps, user.id));
  return page(200, consolePage(request, user, 'Add an authenticator app', form));
};

const confirmForm = (
  request: PageRequest,
  factorId: string,
) => html`<form method="post" action="/console/mfa/totp/${factorId}/confirm">
  ${csrfField(request.csrf)}
  ${field('Code from the app', 'code', { autocomplete: 'one-time-code', required: true })}
  <button type="submit">Confirm</button>
</form>`;

/** The otpauth URI as an inline SVG QR code, sized and named for screen readers (no style attribute). */
const qrCode = (uri: string) =>
  new Html(
    renderSVG(uri, { border: 2 }).replace(
      '<svg ',
      '<svg width="240" height="240" role="img" aria-label="QR code for your authenticator app" ',
    ),
  );

/** The secret, as a QR code (inline SVG: only presentation attributes, CSP-safe) and as text. */
const scanBody = (request: PageRequest, enrolled: Awaited<ReturnType<typeof enrolTotp>>) => html`
<p>Scan this code with your authenticator app, then enter the code it shows. This page is the
only time the secret is shown.</p>
<figure class="qr">${qrCode(enrolled.otpauth_uri)}</figure>
<p>Or type this key into the app: <code id="totp-secret">${enrolled.secret}</code>
<button type="button" data-copy="#totp-secret">Copy</button></p>
${confirmForm(request, enrolled.factor_id)}`;

export const enrolSubmit: PageAction = async (request) => {
  const { actor, user, session } = signedInActor(request);
  const hasKey = await hasKeyFactor(request.deps, user.id);
  const again = (error: string) =>
    consolePage(
      request,
      user,
      'Add an authenticator app',
      html`${alert(error)}${startForm(request, hasKey)}`,
    );
  return orRefuse(async () => {
    await assertFirstPost(request);
    const enrolled = await startOwnTotp(
      request.deps,
      actor,
      request.form.get('name') ?? undefined,
      pageStepUpProof(request, session),
      request.meta,
    );
    return page(201, consolePage(request, user, 'Scan the QR code', scanBody(request, enrolled)));
  }, again);
};

export const confirmSubmit: PageAction = async (request) => {
  const { actor, user, session } = signedInActor(request);
  const factorId = request.params.factor_id ?? '';
  const again = (error: string) =>
    consolePage(
      request,
      user,
      'Scan the QR code',
      html`${alert(error)}${confirmForm(request, factorId)}`,
    );
  return orRefuse(async () => {
    const code = (request.form.get('code') ?? '').replace(/\s+/g, '');
    // The first factor's code, verified in this session, marks this one only (own-factors.ts).
    const confirmed = await confirmOwnTotp(
      request.deps,
      actor,
      session.sid,
      factorId,
      code,
      request.meta,
    );
    if (!confirmed.recovery_codes) return seeOther(withNotice('/console', 'factor_added'));
    return page(
      200,
      consolePage(request, user, 'Recovery codes', recoveryCodesBody(confirmed.recovery_codes)),
    );
  }, again);
};

export const removeSubmit: PageAction = async (request) => {
  const { actor, user, session } = signedInActor(request);
  const again = (error: string) =>
    consolePage(
      request,
      user,
      TITLE,
      html`${alert(error)}<p><a href="/console">Back to your account</a></p>`,
    );
  return orRefuse(async () => {
    await removeOwnFactor(
      request.deps,
      actor,
      request.params.factor_id ?? '',
      pageStepUpProof(request, session),
      request.meta,
    );
    return seeOther(withNotice('/console', 'factor_removed'));
  }, again);
};

export const recoveryCodesSubmit: PageAction = async (request) => {
  const { actor, user, session } = signedInActor(request);
  const again = (error: string) =>
    consolePage(
      request,
      user,
      TITLE,
      html`${alert(error)}<p><a href="/console">Back to your account</a></p>`,
    );
  return orRefuse(async () => {
    await assertFirstPost(request);
    const { recovery_codes } = await renewOwnRecoveryCodes(
      request.deps,
      actor,
      pageStepUpProof(request, session),
      request.meta,
    );
    return page(
      200,
      consolePage(request, user, 'Recovery codes', recoveryCodesBody(recovery_codes)),
    );
  }, again);
};
