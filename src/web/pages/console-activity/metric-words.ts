import type { ActivityMetric } from '../../../core/activity/metrics';

/** Each metric in words: its chart's name and the column of its table. */
export const metricWords: Record<ActivityMetric, { name: string; hint: string }> = {
  sign_ins: { name: 'Sign-ins', hint: 'Sessions opened: password, passkey, MFA, SSO, OAuth' },
  failed_sign_ins: { name: 'Failed sign-ins', hint: 'Wrong or refused sign-in attempts' },
  lockouts: { name: 'Lockouts', hint: 'Locks begun by too many wrong passwords' },
  new_users: { name: 'New users', hint: 'Created by an admin, sign-up, import or first SSO login' },
  mfa_challenges: { name: 'MFA challenges', hint: 'Second factors asked for' },
  token_uses: { name: 'API token uses', hint: 'Calls through the authorizer (approximate)' },
};
