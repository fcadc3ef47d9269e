import { listAuditAction } from '../src/http/actions/audit';
import {
  approveUserAction,
  createUserAction,
  deleteUserAction,
  getUserAction,
  listUsersAction,
  rejectUserAction,
  resetPasswordAction,
  resetUserFactorsAction,
  unlinkIdentityAction,
  updateUserAction,
} from '../src/http/actions/users';
import { loadSecretSettings } from '../src/http/composition';
import { createHandler } from '../src/http/handler';

export const handler = createHandler(
  'users',
  {
    'GET /users': listUsersAction,
    'POST /users': createUserAction,
    'GET /users/{id}': getUserAction,
    'PATCH /users/{id}': updateUserAction,
    'DELETE /users/{id}': deleteUserAction,
    'POST /users/{id}/password': resetPasswordAction,
    'POST /users/{id}/approve': approveUserAction,
    'POST /users/{id}/reject': rejectUserAction,
    'DELETE /users/{id}/identities': unlinkIdentityAction,
    'DELETE /users/{id}/mfa': resetUserFactorsAction,
    'GET /audit': listAuditAction,
  },
  // On AWS the identity providers live in Secrets Manager: read before the settings are.
  { loadSettings: () => loadSecretSettings(process.env) },
);
