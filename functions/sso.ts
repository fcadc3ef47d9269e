import {
  federatedCallbackAction,
  federatedStartAction,
  providersAction,
} from '../src/http/actions/federation';
import { ssoAction } from '../src/http/actions/sso';
import { loadSecretSettings } from '../src/http/composition';
import { createHandler } from '../src/http/handler';

export const handler = createHandler(
  'sso',
  {
    'GET /auth/sso': ssoAction,
    'GET /auth/providers': providersAction,
    'GET /auth/federated/{id}': federatedStartAction,
    'GET /auth/federated/{id}/callback': federatedCallbackAction,
  },
  // On AWS the shared key and the providers live in Secrets Manager: read before the settings are.
  { loadSettings: () => loadSecretSettings(process.env) },
);
