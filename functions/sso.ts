import {
  federatedCallbackAction,
  federatedStartAction,
  providersAction,
} from '../src/http/actions/federation';
import { ssoAction } from '../src/http/actions/sso';
import { secretSetting } from '../src/http/composition';
import { createHandler } from '../src/http/handler';

// On AWS the shared key lives in Secrets Manager: read it before the settings are.
process.env.SSO_JWT_SECRET = (await secretSetting(process.env, 'SSO_JWT_SECRET')) ?? '';

export const handler = createHandler('sso', {
  'GET /auth/sso': ssoAction,
  'GET /auth/providers': providersAction,
  'GET /auth/federated/{id}': federatedStartAction,
  'GET /auth/federated/{id}/callback': federatedCallbackAction,
});
