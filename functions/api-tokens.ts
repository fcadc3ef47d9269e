import {
  createTokenAction,
  getTokenAction,
  listTokensAction,
  renewTokenAction,
  revokeTokenAction,
} from '../src/http/actions/api-tokens';
import { createHandler } from '../src/http/handler';

export const handler = createHandler('apiTokens', {
  'GET /tokens': listTokensAction,
  'POST /tokens': createTokenAction,
  'GET /tokens/{token_id}': getTokenAction,
  'DELETE /tokens/{token_id}': revokeTokenAction,
  'POST /tokens/{token_id}/renew': renewTokenAction,
});
