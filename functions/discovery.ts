import { jwks, openApi, openIdConfiguration } from '../src/http/actions/discovery';
import { createHandler } from '../src/http/handler';

// Also API Gateway's $default route: unknown paths get the contract's 404 or 405 here.
export const handler = createHandler('discovery', {
  'GET /.well-known/jwks.json': jwks,
  'GET /.well-known/openid-configuration': openIdConfiguration,
  'GET /openapi.json': openApi,
});
