import type { EmailMessage } from '../shared/mailer';

/**
 * The mails of the account flows, in plain text and HTML. Links carry the token in the URL
 * fragment (`#token=…`): browsers never send a fragment to a server, so it stays out of
 * access logs and Referer headers; the hosted page reads it and posts it.
 */
const escapeHtml = (value: string) => value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const message = (
  to: string,
  subject: string,
  lines: { intro: string; action: string; link: string; outro: string },
): EmailMessage => ({
  to,
  subject,
  text: `${lines.intro}\n\n${lines.action}:\n${lines.link}\n\n${lines.outro}\n`,
  html: `<!doctype html><html><body style="font-family:sans-serif;line-height:1.5">
<p>${escapeHtml(lines.intro)}</p>
<p><a href="${escapeHtml(lines.link)}">${escapeHtml(lines.action)}</a></p>
<p style="color:#555">${escapeHtml(lines.outro)}</p>
</body></html>`,
});

const hours = (seconds: number) =>
  seconds >= 3600 ? `${Math.round(seconds / 3600)} hour(s)` : `${Math.round(seconds / 60)} minutes`;

export const verificationEmail = (
  issuer: string,
  to: string,
  token: string,
  ttlSeconds: number,
): EmailMessage =>
  message(to, 'Confirm your email address', {
    intro: 'Confirm this address to finish setting up your account.',
    action: 'Confirm your email address',
    link: `${issuer}/verify-email#token=${token}`,
    outro: `The link works once, for ${hours(ttlSeconds)}. If you did not ask for it, ignore this mail.`,
  });

export const emailChangeEmail = (
  issuer: string,
  to: string,
  token: string,
  ttlSeconds: number,
): EmailMessage =>
  message(to, 'Confirm your new email address', {
    intro: 'Your account asked to use this address from now on.',
    action: 'Confirm the new address',
    link: `${issuer}/verify-email#token=${token}`,
    outro: `The link works once, for ${hours(ttlSeconds)}. Until then the old address stays. If you did not ask for this, ignore this mail.`,
  });

export const emailChangeNotice = (issuer: string, to: string, newEmail: string): EmailMessage =>
  message(to, 'Your email address is being changed', {
    intro: `Someone signed in to your account asked to change its address to ${newEmail}. It changes once the new address is confirmed.`,
    action: 'Review your account',
    link: `${issuer}/console`,
    outro: 'If this was not you, change your password now and sign out everywhere.',
  });

export const passwordResetEmail = (
  issuer: string,
  to: string,
  token: string,
  ttlSeconds: number,
): EmailMessage =>
  message(to, 'Reset your password', {
    intro: 'Someone asked to reset the password of the account with this address.',
    action: 'Choose a new password',
    link: `${issuer}/reset-password#token=${token}`,
    outro: `The link works once, for ${hours(ttlSeconds)}, and signs you out everywhere. If you did not ask for it, ignore this mail: your password stays as it is.`,
  });

/** The notices of a change to the account's second factors (API.md, MFA): never a secret. */
export type FactorChange = 'added' | 'removed' | 'reset';

const FACTOR_NOTICES: Record<FactorChange, { subject: string; intro: (name: string) => string }> = {
  added: {
    subject: 'A sign-in factor was added to your account',
    intro: (name) => `A second factor, "${name}", was added to your account.`,
  },
  removed: {
    subject: 'A sign-in factor was removed from your account',
    intro: (name) => `The second factor "${name}" was removed from your account.`,
  },
  reset: {
    subject: 'Your sign-in factors were cleared',
    intro: () =>
      'An administrator cleared every second factor and recovery code of your account, and your sessions ended.',
  },
};

export const factorNotice = (
  issuer: string,
  to: string,
  change: FactorChange,
  factorName = '',
): EmailMessage =>
  message(to, FACTOR_NOTICES[change].subject, {
    intro: FACTOR_NOTICES[change].intro(factorName),
    action: 'Review your account',
    link: `${issuer}/console`,
    outro: 'If this was not you, change your password now and sign out everywhere.',
  });
