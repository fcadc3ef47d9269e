import { describe, expect, expectTypeOf, it } from 'vitest';
import { accountActions } from '../../../src/http/actions/account';
import type { Action, ActionsOf } from '../../../src/http/handler';
import { createHandler } from '../../../src/http/handler';
import { noContent } from '../../../src/http/responses';
import { type RouteKeyOf, routeKey, routes } from '../../../src/http/routes';

const action: Action = async () => noContent();

// These cases are checked by `tsc` (npm run check), not at run time: an unused
// `@ts-expect-error` fails typecheck, so each proves the mistake does not compile.
describe('route keys are typed once, by the route table', () => {
  it('a function’s route keys are exactly its routes in the table', () => {
    expectTypeOf<RouteKeyOf<'token'>>().toEqualTypeOf<
      'POST /auth/refresh' | 'POST /auth/sign-out'
    >();
    const tokenKeys = routes.filter((route) => route.function === 'token').map(routeKey);
    expect(tokenKeys.sort()).toEqual(['POST /auth/refresh', 'POST /auth/sign-out']);
  });

  it('a missing action does not compile', () => {
    // @ts-expect-error 'POST /auth/sign-out' is missing
    const missing: ActionsOf<'token'> = { 'POST /auth/refresh': action };
    expect(missing).toBeDefined();
  });

  it('a misspelled action does not compile', () => {
    const misspelled: ActionsOf<'token'> = {
      'POST /auth/refresh': action,
      // @ts-expect-error no route 'POST /auth/signout'
      'POST /auth/signout': action,
    };
    expect(misspelled).toBeDefined();
  });

  it('another function’s actions do not compile', () => {
    // @ts-expect-error the account routes are not the users function's
    expect(() => createHandler('users', accountActions)).toThrow(/missing/);
  });
});
