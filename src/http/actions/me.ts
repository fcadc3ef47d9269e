import { showUser } from '../../core/users/public-user';
import { type Action, requireActor } from '../handler';
import { json } from '../responses';

export const getMe: Action = async (request) => {
  // A token outliving its user, or its user's active status, names nobody.
  const actor = await requireActor(request, { readOnly: true });
  return json(200, { user: await showUser(request.deps, actor.user) });
};
