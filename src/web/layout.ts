import { randomBytes } from 'node:crypto';
import { isAtLeast } from '../core/users/roles';
import type { UserRecord } from '../core/users/users';
import { type Html, html } from './html';

export interface LayoutOptions {
  title: string;
  body: Html;
  /** Shows the console's navigation and a sign-out form. */
  user?: UserRecord | null;
  csrf?: string;
  /** The page's path, so the navigation marks where the reader is. */
  path?: string;
  /** Tables and dashboards: the wide column instead of the reading width of forms. */
  wide?: boolean;
}

interface NavLink {
  href: string;
  label: string;
}

const ADMIN_LINKS: readonly NavLink[] = [
  { href: '/console/activity', label: 'Dashboard' },
  { href: '/console/users', label: 'Users' },
  { href: '/console/lockouts', label: 'Lockouts' },
  { href: '/console/audit', label: 'Audit log' },
  { href: '/console/clients', label: 'Clients' },
  { href: '/console/tokens', label: 'Tokens' },
  { href: '/console', label: 'Your account' },
];

const MEMBER_LINKS: readonly NavLink[] = [
  { href: '/console', label: 'Your account' },
  { href: '/console/tokens', label: 'Tokens' },
];

/** The console's links for a role: admins and owners manage the workspace, others themselves. */
const navLinks = (user: UserRecord): readonly NavLink[] =>
  isAtLeast(user.role, 'admin') ? ADMIN_LINKS : MEMBER_LINKS;

/** `page` on the link to this very page, `true` on its section's link (a user under Users). */
const currentMark = (href: string, path: string | undefined) => {
  if (!path) return '';
  if (path === href) return html` aria-current="page"`;
  return href !== '/console' && path.startsWith(`${href}/`) ? html` aria-current="true"` : '';
};

const nav = (user: UserRecord, csrf: string, path: string | undefined) =>
  html`<nav aria-label="Console"><ul class="nav-list">
${navLinks(user).map((link) => html`<li><a href="${link.href}"${currentMark(link.href, path)}>${link.label}</a></li>`)}
<li><form method="post" action="/sign-out" class="inline">
<input type="hidden" name="csrf" value="${csrf}">
<button type="submit" class="link">Sign out</button>
</form></li>
</ul></nav>`;

/** Every page: one stylesheet, one deferred script, no inline code (the CSP allows none). */
export const layout = ({ title, body, user, csrf, path, wide }: LayoutOptions): Html =>
  html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>${title} · Gatehouse</title>
<link rel="stylesheet" href="/assets/app.css">
<script type="module" src="/assets/app.js"></script>
</head>
<body>
<a class="skip-link" href="#main">Skip to the content</a>
<header class="site-header"><a class="brand" href="/console">Gatehouse</a>${user && csrf ? nav(user, csrf, path) : ''}</header>
<main id="main"${wide ? html` class="wide"` : ''}>
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
