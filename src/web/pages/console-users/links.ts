import type { PageRequest } from '../../page-handler';
import { queryPath } from '../console-shared';

/**
 * Notices travel as keys, not text, so a crafted link cannot put words in the console's
 * mouth.
 */
const NOTICES = {
  created: 'User added.',
  invited: 'Invitation created: the user stays pending until approved.',
  saved: 'Changes saved.',
  unchanged: 'Nothing to change.',
  password: 'Password set. Every session of this user has ended.',
  approved: 'User approved: they can sign in now.',
  rejected: 'Request rejected: the user is deleted.',
  deleted: 'User deleted.',
  unlinked: 'Identity unlinked: its next sign-in is judged as a new login.',
  signedOut:
    'Session ended: its refresh token no longer works, its access tokens stop within the revocation bound.',
  signedOutAll: 'Every session of this user has ended.',
  tokenRevoked: 'Token revoked.',
  factorsCleared:
    'Every factor and recovery code of this user is gone; their sessions ended and they were mailed.',
  unlocked: 'Lock cleared: the right password gets in now.',
  notLocked: 'Nothing was cleared: there was no lock (it had ended or was already cleared).',
} as const;
type Notice = keyof typeof NOTICES;

export const noticeOf = (request: PageRequest) => {
  const key = request.query.get('notice');
  return key && Object.hasOwn(NOTICES, key) ? NOTICES[key as Notice] : null;
};

export const usersPath = (notice?: Notice) => queryPath('/console/users', { notice });

export const userPath = (id: string, notice?: Notice) =>
  queryPath(`/console/users/${encodeURIComponent(id)}`, { notice });

export const targetId = (request: PageRequest) => request.params.id as string;

/** A POST-only route's sign-in goes back to the user's page, which a browser can GET. */
export const backToUser = (request: PageRequest) => userPath(targetId(request));
