import { getMe } from '../src/http/actions/me';
import { createHandler } from '../src/http/handler';

export const handler = createHandler('account', {
  'GET /me': getMe,
});
