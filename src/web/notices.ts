/**
 * The notices the account pages show after a redirect. They travel as keys, never as text, and
 * an unknown key shows nothing: a crafted link cannot put words in the service's mouth (say,
 * "Your session expired, sign in at evil.example").
 */
const NOTICES = {
  signed_out: 'You are signed out.',
  account_ready: 'Your account is ready. Sign in.',
  email_confirmed: 'Your email address is confirmed.',
  password_reset: 'Your password is changed. Sign in.',
  saved: 'Saved.',
  email_change_mailed: 'Saved. Open the link mailed to the new address to switch to it.',
  password_changed: 'Password changed. Your other sessions have ended.',
  token_revoked: 'Token revoked.',
  access_revoked: 'Access revoked.',
  link_cancelled: 'Nothing was linked. You are not signed in.',
  mfa_expired: 'That sign-in expired or was already finished. Sign in again.',
  factor_added: 'Your authenticator app is added.',
  passkey_added: 'Your passkey or security key is added.',
  factor_removed: 'The factor is removed.',
} as const;

export type NoticeKey = keyof typeof NOTICES;

/** The text of a `notice` query parameter, or null unless it is one of the fixed keys. */
export const noticeText = (key: string | null): string | null =>
  key !== null && Object.hasOwn(NOTICES, key) ? NOTICES[key as NoticeKey] : null;

/** `path` with `?notice=<key>`. */
export const withNotice = (path: string, key: NoticeKey): string => `${path}?notice=${key}`;
