import {
  browserSupportsWebAuthn,
  browserSupportsWebAuthnAutofill,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  startAuthentication,
  startRegistration,
  WebAuthnError,
} from '@simplewebauthn/browser';

/**
 * Passkeys and security keys on the hosted pages (src/web/mfa/webauthn-markup.ts writes the
 * markup). A `form[data-webauthn]` carries its options in `data-options` (rendered by the
 * server) or fetches them from the same-origin `data-options-url` with the form's own fields
 * (its CSRF token); the ceremony's JSON goes into the hidden `credential` field and the form is
 * submitted. The start button stays hidden unless this browser can do WebAuthn.
 */

type Ceremony = 'register' | 'authenticate';

const statusOf = (form: HTMLFormElement) =>
  form.querySelector<HTMLElement>('[data-webauthn-status]');

const say = (form: HTMLFormElement, text: string) => {
  const status = statusOf(form);
  if (!status) return;
  status.textContent = text;
  status.hidden = text === '';
};

/** The form's fields except the credential: what the options route needs (csrf, factor_id). */
const formFields = (form: HTMLFormElement) => {
  const fields = new URLSearchParams();
  for (const [name, value] of new FormData(form)) {
    if (name !== 'credential' && typeof value === 'string') fields.append(name, value);
  }
  return fields;
};

class OptionsUnavailable extends Error {}

const optionsOf = async (form: HTMLFormElement): Promise<unknown> => {
  const inline = form.dataset.options;
  if (inline) return JSON.parse(inline);
  const url = form.dataset.optionsUrl ?? '';
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: formFields(form),
    credentials: 'same-origin',
  });
  if (!response.ok) throw new OptionsUnavailable(String(response.status));
  return response.json();
};

/** What the person can do about a failed ceremony, in words. */
const failureText = (error: unknown): string => {
  if (error instanceof OptionsUnavailable) {
    return 'This page has expired. Reload it and try again.';
  }
  if (
    error instanceof WebAuthnError &&
    error.code === 'ERROR_AUTHENTICATOR_PREVIOUSLY_REGISTERED'
  ) {
    return 'This passkey or security key is registered already.';
  }
  if (error instanceof Error && error.name === 'NotAllowedError') {
    return 'Cancelled or timed out. Try again when you are ready.';
  }
  return 'Your browser could not use a passkey or security key here. Try again, or another way.';
};

const runCeremony = async (ceremony: Ceremony, optionsJSON: unknown, autofill = false) =>
  ceremony === 'register'
    ? startRegistration({ optionsJSON: optionsJSON as PublicKeyCredentialCreationOptionsJSON })
    : startAuthentication({
        optionsJSON: optionsJSON as PublicKeyCredentialRequestOptionsJSON,
        useBrowserAutofill: autofill,
      });

const submitWith = (form: HTMLFormElement, credential: unknown) => {
  const field = form.querySelector<HTMLInputElement>('input[name="credential"]');
  if (!field) return;
  field.value = JSON.stringify(credential);
  // As a click on a submit button would: a form's own checks (a confirmation) still run.
  form.requestSubmit();
};

const wireForm = (form: HTMLFormElement) => {
  const ceremony = form.dataset.webauthn as Ceremony;
  const button = form.querySelector<HTMLButtonElement>('[data-webauthn-start]');
  if (!button) return;
  if (!browserSupportsWebAuthn()) {
    // A form that explains itself without the script (its status shown) says why; others stay quiet.
    if (statusOf(form)?.hidden === false) {
      say(form, 'This browser cannot use passkeys or security keys.');
    }
    return;
  }
  say(form, '');
  button.hidden = false;
  button.addEventListener('click', async () => {
    button.disabled = true;
    say(form, 'Follow your browser’s prompt.');
    try {
      submitWith(form, await runCeremony(ceremony, await optionsOf(form)));
      // Usable again should the form's own checks stop the post (a confirmation declined).
      button.disabled = false;
      say(form, '');
    } catch (error) {
      say(form, failureText(error));
      button.disabled = false;
      // Disabling dropped the keyboard focus: back on the button, to try again.
      button.focus();
    }
  });
};

/**
 * Conditional mediation: the sign-in page's login field offers the browser's passkeys in its
 * autofill; choosing one signs in through the passkey form. Quiet when the browser cannot.
 */
const offerAutofill = async (form: HTMLFormElement) => {
  if (!(await browserSupportsWebAuthnAutofill())) return;
  try {
    submitWith(form, await runCeremony('authenticate', await optionsOf(form), true));
  } catch {
    // Aborted by the button's own ceremony, or dismissed: the page stays as it is.
  }
};

export const wireWebAuthn = () => {
  for (const form of document.querySelectorAll<HTMLFormElement>('form[data-webauthn]')) {
    wireForm(form);
    if (form.hasAttribute('data-webauthn-autofill') && browserSupportsWebAuthn()) {
      void offerAutofill(form);
    }
  }
};
