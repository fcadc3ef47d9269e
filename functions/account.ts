import { accountActions } from '../src/http/actions/account';
import { createHandler } from '../src/http/handler';

export const handler = createHandler('account', accountActions);
