/**
 * The pages' only script (CSP: no inline code). Pages work without it, except that copy
 * buttons need it, mailed links put their token in the URL fragment, which only a script
 * can read, and passkeys and security keys are a browser API (webauthn.ts).
 */
import './local-times';
import { wireWebAuthn } from './webauthn';

/** Mailed links carry `#token=…`: into the form, and out of the address bar and history. */
const fillFragmentToken = () => {
  const form = document.querySelector<HTMLFormElement>('form[data-fragment-token]');
  if (!form) return;
  const token = new URLSearchParams(window.location.hash.slice(1)).get('token');
  const input = form.querySelector<HTMLInputElement>('input[name="token"]');
  if (token && input) {
    input.value = token;
    history.replaceState(null, '', window.location.pathname + window.location.search);
  } else if (input && !input.value) {
    document.querySelector<HTMLElement>('[data-no-token]')?.removeAttribute('hidden');
  }
};

/** `<button data-copy="#id">`: copies the element's text, and says so to screen readers. */
const wireCopyButtons = () => {
  for (const button of document.querySelectorAll<HTMLButtonElement>('button[data-copy]')) {
    button.addEventListener('click', async () => {
      const source = document.querySelector(button.dataset.copy ?? '');
      const text = source?.textContent?.trim() ?? '';
      try {
        await navigator.clipboard.writeText(text);
        button.textContent = 'Copied';
      } catch {
        // No clipboard permission: select the text so the user can copy it.
        const range = document.createRange();
        if (source) range.selectNodeContents(source);
        window.getSelection()?.removeAllRanges();
        window.getSelection()?.addRange(range);
        button.textContent = 'Selected: press Ctrl+C';
      }
      button.setAttribute('aria-live', 'polite');
    });
  }
};

/** `<form data-confirm="…">`: asks before a destructive change. */
const wireConfirmations = () => {
  for (const form of document.querySelectorAll<HTMLFormElement>('form[data-confirm]')) {
    form.addEventListener('submit', (event) => {
      if (!window.confirm(form.dataset.confirm ?? 'Are you sure?')) event.preventDefault();
    });
  }
};

fillFragmentToken();
wireCopyButtons();
wireConfirmations();
wireWebAuthn();
