import { listFactors } from '../../core/mfa';
import { heldBackForMfa } from '../../core/sessions/mfa-policy';
import type { SessionRecord } from '../../core/shared/store';
import type { UserRecord } from '../../core/users/users';
import { type Html, html } from '../html';
import { csrfField, field, onceField } from '../layout';
import type { PageRequest } from '../page-handler';
import { proofField } from './page-step-up';

/**
 * MFA_REQUIRED_ROLES on the console (API.md, MFA): a session held back to `profile` says why,
 * at the top of the account page, and walks a user with no factor into adding an authenticator
 * app; confirming it marks this session (own-factors.ts, first-factor-session.ts). Empty otherwise.
 */
export const mfaRequiredWalk = async (
  request: PageRequest,
  user: UserRecord,
  session: SessionRecord,
): Promise<Html | ''> => {
  if (!heldBackForMfa(request.deps, user, session)) return '';
  const { factors } = await listFactors(request.deps, user.id);
  const why = html`<p>Your role (${user.role}) needs two-factor authentication. Until this
session has verified a second factor, it can only see your profile.</p>`;
  if (factors.length > 0) {
    return html`<section class="notice" role="status" aria-labelledby="walk-heading">
<h2 id="walk-heading">Two-factor authentication required</h2>${why}
<p>Sign out, then sign in again with your authenticator app.</p>
</section>`;
  }
  return html`<section class="notice" role="status" aria-labelledby="walk-heading">
<h2 id="walk-heading">Add an authenticator app to continue</h2>${why}
<form method="post" action="/console/mfa/totp">
  ${csrfField(request.csrf)}${onceField()}
  ${field('Name', 'name', { hint: 'Which app or device, e.g. “Phone”.' })}
  ${proofField('walk')}
  <button type="submit">Set up an authenticator app</button>
</form>
</section>`;
};
