import { GatehouseError } from '../../core/errors';
import { toPublicUser } from '../../core/users';
import { type Action, requirePrincipal } from '../handler';
import { json } from '../responses';

export const getMe: Action = async (request) => {
  const principal = requirePrincipal(request);
  const user = await request.deps.store.getUser(principal.userId);
  // A token outliving its user names nobody.
  if (!user) throw new GatehouseError('token_invalid', 'The access token names no user.');
  return json(200, { user: toPublicUser(user) });
};
