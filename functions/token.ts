import { refresh, signOut } from '../src/http/actions/sessions';
import { createHandler } from '../src/http/handler';

export const handler = createHandler('token', {
  'POST /auth/refresh': refresh,
  'POST /auth/sign-out': signOut,
});
