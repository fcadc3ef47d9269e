import {
  createClientAction,
  deleteClientAction,
  listClientsAction,
} from '../src/http/actions/clients';
import { introspectAction, revokeAction } from '../src/http/actions/oauth';
import { tokenAction } from '../src/http/actions/oauth-token';
import { userInfoAction } from '../src/http/actions/userinfo';
import { createHandler } from '../src/http/handler';

export const handler = createHandler(
  'oauth',
  {
    'POST /oauth/token': tokenAction,
    'POST /oauth/introspect': introspectAction,
    'POST /oauth/revoke': revokeAction,
    'GET /oauth/userinfo': userInfoAction,
    'POST /oauth/userinfo': userInfoAction,
    'GET /clients': listClientsAction,
    'POST /clients': createClientAction,
    'DELETE /clients/{client_id}': deleteClientAction,
  },
  // The password grant checks unknown logins against a dummy hash: make it before the first.
  { onColdStart: (deps) => deps.hasher.warmUp() },
);
