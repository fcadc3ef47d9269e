import type { CoreDeps } from '../../core/shared/deps';
import { html } from '../html';

/**
 * The sign-in page's ways in besides a password: JWT SSO, then one button per configured OIDC
 * provider in configuration order. Each is a plain link (no script: the CSP allows none) that
 * carries the page's already checked `return_to`, which the federation route checks again.
 */
export const signInButtons = (deps: CoreDeps, returnTo: string) => {
  const target = encodeURIComponent(returnTo);
  const sso = deps.config.sso?.idpUrl
    ? html`<li><a class="button secondary" href="/auth/sso?return_to=${target}">Sign in with single sign-on</a></li>`
    : '';
  const providers = deps.config.identityProviders.map(
    (provider) =>
      html`<li><a class="button secondary" href="/auth/federated/${encodeURIComponent(provider.id)}?return_to=${target}">Sign in with ${provider.name}</a></li>`,
  );
  return sso || providers.length
    ? html`<ul class="sign-in-options" aria-label="Other ways to sign in">${sso}${providers}</ul>`
    : '';
};

/** Password sign-in is off but OIDC providers are there: the page is their buttons alone. */
export const onlyProviderButtons = (deps: CoreDeps) =>
  !deps.config.passwordLoginEnabled && deps.config.identityProviders.length > 0;
