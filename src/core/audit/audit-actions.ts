/**
 * Every action Gatehouse writes to the audit log, in words: the one catalogue the console and
 * exports read. test/unit/core/audit-actions.test.ts fails when src/ emits an action missing here.
 */
export const AUDIT_ACTIONS = {
  'account.update': 'Changed their profile',
  'account.password_change': 'Changed their password',
  'account.password_forgot': 'Asked for a password reset',
  'account.password_reset': 'Reset their password from a mailed link',
  'account.email_verify': 'Verified their email',
  'account.email_change': 'Changed their email',
  'account.delete': 'Deleted their account',
  'auth.sign_in': 'Signed in',
  'auth.sign_out': 'Signed out',
  'auth.sign_out_all': 'Signed out everywhere',
  'client.create': 'Created an OAuth client',
  'client.delete': 'Deleted an OAuth client',
  'consent.grant': 'Allowed an app',
  'consent.revoke': 'Withdrew an app’s access',
  'mfa.enroll': 'Added a second factor',
  'mfa.remove': 'Removed a second factor',
  'mfa.reset': 'Cleared a user’s second factors',
  'mfa.recovery_codes': 'Made new recovery codes',
  'mfa.challenge': 'Answered a second-factor check',
  'oauth.client_credentials': 'Issued a client-credentials token',
  'session.import': 'Imported a session',
  'sso.account_create': 'Created an account through single sign-on',
  'sso.role_change': 'Changed a role from single sign-on groups',
  'sso.groups_change': 'Changed groups from single sign-on',
  'token.create': 'Created an API token',
  'token.revoke': 'Revoked a token',
  'token.renew': 'Renewed an API token',
  'user.create': 'Created a user',
  'user.update': 'Changed a user',
  'user.reset_password': 'Set a user’s password',
  'user.approve': 'Approved a user',
  'user.reject': 'Rejected a user',
  'user.delete': 'Deleted a user',
  'user.link': 'Linked a sign-in identity',
  'user.unlink': 'Unlinked a sign-in identity',
  'user.sign_out': 'Signed a user out of a session',
  'user.sign_out_all': 'Signed a user out everywhere',
  'user.unlock': 'Cleared a sign-in lock',
} as const satisfies Record<string, string>;

export type AuditAction = keyof typeof AUDIT_ACTIONS;

/** Each area (the part before the dot) as a heading of the action list. */
export const AUDIT_AREAS: Record<string, string> = {
  account: 'Own account',
  auth: 'Sign-in',
  client: 'OAuth clients',
  consent: 'App consent',
  mfa: 'Second factors',
  oauth: 'OAuth',
  session: 'Sessions',
  sso: 'Single sign-on',
  token: 'Tokens',
  user: 'Users',
};

const isKnown = (action: string): action is AuditAction => Object.hasOwn(AUDIT_ACTIONS, action);

/** An action in words; one this version does not know (an older or newer writer's) says so. */
export const actionWords = (action: string): string =>
  isKnown(action) ? AUDIT_ACTIONS[action] : 'Unrecognised action';

/** The catalogue's actions grouped by area, areas and actions in catalogue order. */
export const actionsByArea = (): { area: string; label: string; actions: AuditAction[] }[] => {
  const groups = new Map<string, AuditAction[]>();
  for (const action of Object.keys(AUDIT_ACTIONS) as AuditAction[]) {
    const area = action.split('.')[0] as string;
    groups.set(area, [...(groups.get(area) ?? []), action]);
  }
  return [...groups].map(([area, actions]) => ({
    area,
    label: AUDIT_AREAS[area] ?? area,
    actions,
  }));
};
