import { pageActions } from '../src/web/pages';
import { createPagesHandler } from '../src/web/pages-handler';

/** The hosted pages and /oauth/authorize. */
export const handler = createPagesHandler(pageActions);
