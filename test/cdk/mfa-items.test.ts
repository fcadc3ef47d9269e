import { beforeAll, describe, expect, it } from 'vitest';
import { type FunctionName, functionSpecs } from '../../src/http/functions';
import { isAllowed } from '../support/dynamo-iam';
import { type NarrowRoles, statementsOn, synthNarrowRoles } from './narrow-roles';

/**
 * Issue 15 (mfa-harden): second factors (`MFA#<userId>` items of the users table: TOTP secrets,
 * recovery code digests; `WEBAUTHN#<credentialId>` passkey lookups) are reachable only by the functions that verify or manage them.
 * Invariant: the authorizer (Gatehouse's and another stack's), discovery and the API-token
 * function can neither read nor change one, by key, by Query or by Scan; the functions that
 * sign in, refresh and manage factors still can. The lists are spelled out here, not read from
 * src/http/functions.ts, so a new grant fails until it is reviewed here.
 */
const NEEDS_MFA: FunctionName[] = ['signIn', 'token', 'sso', 'account', 'users', 'oauth', 'pages'];
const NEVER_MFA: FunctionName[] = ['apiTokens', 'authorizer', 'discovery'];

const mfaGet = { action: 'dynamodb:GetItem', context: { LeadingKeys: ['MFA#usr_1'] } };
const mfaQuery = { action: 'dynamodb:Query', context: { LeadingKeys: ['MFA#usr_1'] } };
const mfaUpdate = { action: 'dynamodb:UpdateItem', context: { LeadingKeys: ['MFA#usr_1'] } };
const mfaBatch = {
  action: 'dynamodb:BatchGetItem',
  context: { LeadingKeys: ['USER#usr_1', 'MFA#usr_1'] },
};
const passkeyGet = { action: 'dynamodb:GetItem', context: { LeadingKeys: ['WEBAUTHN#Y3JlZA'] } };
const scan = { action: 'dynamodb:Scan', context: {} };
const userGet = { action: 'dynamodb:GetItem', context: { LeadingKeys: ['USER#usr_1'] } };

let roles: NarrowRoles;
beforeAll(() => {
  roles = synthNarrowRoles();
}, 120_000);

describe('MFA items of the users table', () => {
  it('every function is on one of the two lists', () => {
    expect([...NEEDS_MFA, ...NEVER_MFA].sort()).toEqual(Object.keys(functionSpecs).sort());
  });

  it.each(NEVER_MFA)(
    '%s can neither read nor change them, by key, query, batch or scan',
    (name) => {
      const users = statementsOn(roles.gatehouseRole(name), 'users');
      for (const request of [mfaGet, mfaQuery, mfaUpdate, mfaBatch, passkeyGet, scan]) {
        expect(isAllowed(users, request), request.action).toBe(false);
      }
    },
  );

  it('the API-token function still reads user items', () => {
    expect(isAllowed(statementsOn(roles.gatehouseRole('apiTokens'), 'users'), userGet)).toBe(true);
  });

  it("another stack's GatehouseAuthorizer cannot read them either", () => {
    const users = statementsOn(roles.teamAuthorizerRole(), 'users');
    for (const request of [mfaGet, mfaQuery, passkeyGet, scan]) {
      expect(isAllowed(users, request)).toBe(false);
    }
    expect(
      isAllowed(users, {
        ...userGet,
        context: { ...userGet.context, Attributes: ['pk', 'sk', 'role'] },
      }),
    ).toBe(true);
  });

  it.each(NEEDS_MFA)('%s reads them (and writes them if it writes the table)', (name) => {
    const users = statementsOn(roles.gatehouseRole(name), 'users');
    for (const request of [mfaGet, mfaQuery, passkeyGet]) {
      expect(isAllowed(users, request), request.action).toBe(true);
    }
    const writes = (functionSpecs[name].tables as { users?: string }).users === 'write';
    expect(isAllowed(users, mfaUpdate)).toBe(writes);
  });
});
