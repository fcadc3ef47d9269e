import { signInActions } from '../src/http/actions/sign-in';
import { createHandler } from '../src/http/handler';
import { prepareSignIn } from '../src/http/prepare-sign-in';

export const handler = createHandler('signIn', signInActions, { onColdStart: prepareSignIn });
