import {
  createClientAction,
  deleteClientAction,
  listClientsAction,
} from '../src/http/actions/clients';
import { introspectAction, revokeAction } from '../src/http/actions/oauth';
import { createHandler } from '../src/http/handler';

export const handler = createHandler('oauth', {
  'POST /oauth/introspect': introspectAction,
  'POST /oauth/revoke': revokeAction,
  'GET /clients': listClientsAction,
  'POST /clients': createClientAction,
  'DELETE /clients/{client_id}': deleteClientAction,
});
