import { createPagesHandler } from '../src/web/page-handler';
import { pageActions } from '../src/web/pages';

/** The hosted pages and /oauth/authorize. */
export const handler = createPagesHandler(pageActions);
