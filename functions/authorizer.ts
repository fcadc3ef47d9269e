import { authorizerFromEnv } from '../src/http/authorizer-from-env';

export const handler = authorizerFromEnv(process.env);
