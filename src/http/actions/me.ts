import { toPublicUser } from '../../core/users/users';
import { type Action, requireActor } from '../handler';
import { json } from '../responses';

export const getMe: Action = async (request) => {
  // A token outliving its user, or its user's active status, names nobody.
  const actor = await requireActor(request, { readOnly: true });
  return json(200, { user: toPublicUser(actor.user) });
};
