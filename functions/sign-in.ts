import { signIn } from '../src/http/actions/sign-in';
import { bootstrapDefaultOwner } from '../src/http/default-owner-bootstrap';
import { createHandler } from '../src/http/handler';

export const handler = createHandler(
  'signIn',
  { 'POST /auth/sign-in': signIn },
  { onColdStart: bootstrapDefaultOwner },
);
