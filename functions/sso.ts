import { ssoAction } from '../src/http/actions/sso';
import { loadSecretSettings } from '../src/http/composition';
import { createHandler } from '../src/http/handler';

// On AWS the shared key and the providers live in Secrets Manager: read before the settings are.
await loadSecretSettings(process.env);

export const handler = createHandler('sso', { 'GET /auth/sso': ssoAction });
