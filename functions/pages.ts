import { loadSecretSettings } from '../src/http/composition';
import { pageActions } from '../src/web/pages';
import { createPagesHandler } from '../src/web/pages-handler';

/** The hosted pages and /oauth/authorize. */
export const handler = createPagesHandler(pageActions, {
  // On AWS the identity providers live in Secrets Manager: read before the settings are.
  loadSettings: () => loadSecretSettings(process.env),
});
