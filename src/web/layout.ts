import { randomBytes } from 'node:crypto';
import type { UserRecord } from '../core/users/users';
import { type Html, html } from './html';

export interface LayoutOptions {
  title: string;
  body: Html;
  /** Shows the console's navigation and a sign-out form. */
  user?: UserRecord | null;
  csrf?: string;
}

const nav = (user: UserRecord, csrf: string) => {
  const manages = user.role === 'admin' || user.role === 'owner';
  return html`<nav aria-label="Console">
    <a href="/console">Profile</a>
    <a href="/console/tokens">Tokens</a>
    ${manages ? html`<a href="/console/users">Users</a> <a href="/console/clients">Clients</a> <a href="/console/audit">Audit log</a>` : ''}
    <form method="post" action="/sign-out" class="inline">
      <input type="hidden" name="csrf" value="${csrf}">
      <button type="submit" class="link">Sign out</button>
    </form>
  </nav>`;
};

/** Every page: one stylesheet, one deferred script, no inline code (the CSP allows none). */
export const layout = ({ title, body, user, csrf }: LayoutOptions): Html =>
  html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · Gatehouse</title>
<link rel="stylesheet" href="/assets/app.css">
<script type="module" src="/assets/app.js"></script>
</head>
<body>
<header><a class="brand" href="/console">Gatehouse</a>${user && csrf ? nav(user, csrf) : ''}</header>
<main id="main">
<h1>${title}</h1>
${body}
</main>
</body>
</html>`;

export const errorPage = (message: string): Html =>
  layout({
    title: 'Something is not right',
    body: html`<p class="error" role="alert">${message}</p><p><a href="/console">Back to the console</a></p>`,
  });

/** A form's error or notice line, announced to screen readers. */
export const alert = (message: string | null | undefined, kind: 'error' | 'notice' = 'error') =>
  message
    ? html`<p class="${kind}" role="${kind === 'error' ? 'alert' : 'status'}">${message}</p>`
    : '';

export const csrfField = (csrf: string) => html`<input type="hidden" name="csrf" value="${csrf}">`;

/**
 * A form whose answer shows a secret once (a new token, a generated password) carries a fresh
 * one-time value: posting it again (a reload) is refused instead of making a second secret.
 */
export const onceField = () =>
  html`<input type="hidden" name="once" value="${randomBytes(18).toString('base64url')}">`;

/** A labelled input: every field has a visible label tied to it. */
export const field = (
  label: string,
  name: string,
  options: {
    type?: string;
    value?: string | null;
    autocomplete?: string;
    required?: boolean;
    hint?: string;
  } = {},
) => {
  const id = `field-${name}`;
  return html`<label for="${id}">${label}</label>
<input id="${id}" name="${name}" type="${options.type ?? 'text'}"${options.value ? html` value="${options.value}"` : ''}${
    options.autocomplete ? html` autocomplete="${options.autocomplete}"` : ''
  }${options.required ? html` required` : ''}${options.hint ? html` aria-describedby="${id}-hint"` : ''}>
${options.hint ? html`<small id="${id}-hint">${options.hint}</small>` : ''}`;
};
