import { createExampleApi } from '../src/example/handler';

/** The example protected API (lib/example-api-stack.ts), behind Gatehouse's authorizer. */
export const handler = createExampleApi();
