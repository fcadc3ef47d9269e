import { loadSecretSettings } from '../src/http/composition';
import { pageActions } from '../src/web/pages';
import { createPagesHandler } from '../src/web/pages-handler';

// On AWS the identity providers live in Secrets Manager: read them before the settings are.
await loadSecretSettings(process.env);

/** The hosted pages and /oauth/authorize. */
export const handler = createPagesHandler(pageActions);
