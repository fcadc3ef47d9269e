import { signInWithPassword } from '../../core/sessions/sign-in';
import type { Action } from '../handler';
import { json } from '../responses';
import type { SignInBody } from '../schemas';

export const signIn: Action = async ({ deps, body, meta }) =>
  json(200, await signInWithPassword(deps, body as SignInBody, meta));
