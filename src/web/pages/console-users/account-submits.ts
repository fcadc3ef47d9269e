import { revokeUserApiToken } from '../../../core/tokens/api-tokens';
import { resetUserFactors } from '../../../core/users/mfa-reset';
import { clearUserLock } from '../../../core/users/user-lockouts';
import { loadUser } from '../../../core/users/user-management';
import { signOutUserEverywhere, signOutUserSession } from '../../../core/users/user-sign-out';
import type { HttpResult } from '../../../http/responses';
import { type PageRequest, seeOther } from '../../page-handler';
import { type ConsoleActor, consoleAction, formError } from '../console-shared';
import { userDetail } from './detail';
import { backToUser, targetId, userPath } from './links';
import { FORM_ERRORS } from './widgets';

type Notice = Parameters<typeof userPath>[1];

/**
 * One button's POST on the user page: the core decides (and audits); a refusal re-renders the
 * page with it on top, anything else (404 for a sid of another user) is the error page.
 */
const userButton = <T>(
  act: (request: PageRequest, actor: ConsoleActor, userId: string) => Promise<T>,
  notice: Notice | ((answer: T) => Notice),
) =>
  consoleAction(
    'users:write',
    async (request, actor): Promise<HttpResult> => {
      const target = await loadUser(request.deps, targetId(request));
      try {
        const answer = await act(request, actor, target.id);
        return seeOther(
          userPath(target.id, typeof notice === 'function' ? notice(answer) : notice),
        );
      } catch (error) {
        const found = formError(error, FORM_ERRORS);
        if (!found) throw error;
        return userDetail(request, actor, target, { problem: { at: 'action', ...found } });
      }
    },
    backToUser,
  );

export const userSessionSignOutSubmit = userButton(
  (request, actor, userId) =>
    signOutUserSession(request.deps, actor, userId, request.params.sid as string, request.meta),
  'signedOut',
);

export const userSignOutAllSubmit = userButton(
  (request, actor, userId) => signOutUserEverywhere(request.deps, actor, userId, request.meta),
  'signedOutAll',
);

/** DELETE /tokens/{id}'s rule; a token of someone else than this user is 404. */
export const userTokenRevokeSubmit = userButton(
  (request, actor, userId) =>
    revokeUserApiToken(
      request.deps,
      actor,
      userId,
      request.params.token_id as string,
      request.meta,
    ),
  'tokenRevoked',
);

export const userFactorsClearSubmit = userButton(
  (request, actor, userId) => resetUserFactors(request.deps, actor, userId, request.meta),
  'factorsCleared',
);

export const userUnlockSubmit = userButton(
  (request, actor, userId) => clearUserLock(request.deps, actor, userId, request.meta),
  (cleared) => (cleared ? 'unlocked' : 'notLocked'),
);
