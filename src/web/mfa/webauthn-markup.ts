import { type Html, html } from '../html';
import { csrfField } from '../layout';

/**
 * A form the page script (web/src/webauthn.ts) drives: its button runs the WebAuthn ceremony
 * and the form is posted with the result in `credential`. The button is hidden until the
 * script finds WebAuthn; `unsupported` is what shows without it (empty: nothing shows).
 */
export const webauthnForm = (options: {
  action: string;
  ceremony: 'register' | 'authenticate';
  csrf: string;
  button: string;
  /** Options the server made for this page (a registration's, after the step-up). */
  optionsJSON?: unknown;
  /** Or a same-origin route the script posts the form's fields to for fresh options. */
  optionsUrl?: string;
  /** Hidden fields posted with the credential (return_to, a name...). */
  fields?: Html | Html[];
  /** Offer the browser's passkeys in the login field's autofill (conditional mediation). */
  autofill?: boolean;
  unsupported?: string;
  label?: string;
}) => {
  const source =
    options.optionsJSON !== undefined
      ? html` data-options="${JSON.stringify(options.optionsJSON)}"`
      : html` data-options-url="${options.optionsUrl ?? ''}"`;
  const unsupported =
    options.unsupported ?? 'Passkeys and security keys need JavaScript and a recent browser.';
  return html`<form method="post" action="${options.action}" data-webauthn="${options.ceremony}"${source}${
    options.autofill ? html` data-webauthn-autofill` : ''
  }${options.label ? html` aria-label="${options.label}"` : ''}>
  ${csrfField(options.csrf)}${options.fields ?? ''}
  <input type="hidden" name="credential" value="">
  <button type="button" data-webauthn-start hidden>${options.button}</button>
  <p class="hint" data-webauthn-status role="status"${unsupported ? '' : html` hidden`}>${unsupported}</p>
</form>`;
};

/** A hidden field, escaped like every value. */
export const hiddenField = (name: string, value: string) =>
  html`<input type="hidden" name="${name}" value="${value}">`;
