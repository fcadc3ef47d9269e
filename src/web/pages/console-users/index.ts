import type { PageAction } from '../../page-handler';
import { userDetailPage } from './detail';
import { usersListPage } from './list';
import {
  userApproveSubmit,
  userDeleteSubmit,
  userPasswordSubmit,
  userRejectSubmit,
  usersCreateSubmit,
  userUnlinkSubmit,
  userUpdateSubmit,
} from './submits';

/** The users pages, by page route key (src/web/routes.ts). */
export const consoleUsersActions: Record<string, PageAction> = {
  'GET /console/users': usersListPage,
  'POST /console/users': usersCreateSubmit,
  'GET /console/users/{id}': userDetailPage,
  'POST /console/users/{id}': userUpdateSubmit,
  'POST /console/users/{id}/password': userPasswordSubmit,
  'POST /console/users/{id}/approve': userApproveSubmit,
  'POST /console/users/{id}/reject': userRejectSubmit,
  'POST /console/users/{id}/delete': userDeleteSubmit,
  'POST /console/users/{id}/identities/unlink': userUnlinkSubmit,
};
