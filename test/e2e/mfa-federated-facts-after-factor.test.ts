import { describe, expect, it } from 'vitest';
import { loginKey, type UserRecord } from '../../src/core/users/users';
import { buildDeps } from '../../src/http/composition';
import { browser, toCallback, useFederationStack } from '../support/federation-stack';
import { confirmedTotp } from '../support/mfa-fixtures';
import { totpCodeAt } from '../support/totp-codes';

/**
 * Issue 15 (mfa-harden), against a real OpenID Provider (oidc-provider) on DynamoDB Local.
 * Invariant: for a user with a factor, nothing of a federated login (role and group sync, the
 * profile) is written before the factor is verified; abandoned, the account is as it was.
 */
const { idp, stack } = await useFederationStack({ REVOCATION_CACHE_SECONDS: '0' }, [
  {
    id: 'corp',
    name: 'Corp',
    trust_email: true,
    group_mappings: { 'corp-admins': 'admin' },
  },
]);
const deps = () => buildDeps(process.env);
const host = () => new URL(stack().url).host;

const userByEmail = async (email: string): Promise<UserRecord> => {
  const id = (await deps().store.findLogin(loginKey(email)))?.userId;
  const user = id ? await deps().store.getUser(id) : null;
  if (!user) throw new Error(`no user ${email}`);
  return user;
};

const writable = (user: UserRecord) => ({
  name: user.name,
  role: user.role,
  groups: user.groups,
  updatedAt: user.updatedAt,
});

const signInAtProvider = async () => {
  const using = browser();
  const { callback } = await toCallback(stack().url, 'corp', 'return_to=%2Flanding', using);
  return { using, landed: await using.get(callback) };
};

describe('a federated login of a user with a factor', () => {
  it('writes the role, groups and name only once the factor is verified', async () => {
    const email = 'fed-facts@corp.test';
    idp.setUser({ sub: 'fed-facts', email, email_verified: true, name: 'Before', groups: [] });
    await signInAtProvider();
    const user = await userByEmail(email);
    expect(user.role).toBe('viewer');
    const { secret } = await confirmedTotp(deps(), user);
    const confirmedAt = Date.now();
    const before = writable(await userByEmail(email));

    idp.setUser({
      sub: 'fed-facts',
      email,
      email_verified: true,
      name: 'After',
      groups: ['corp-admins'],
    });
    const abandoned = await signInAtProvider();
    expect(abandoned.landed.location).toBe(`${stack().url}/sign-in/mfa?return_to=%2Flanding`);
    expect(abandoned.using.cookie(host(), 'gatehouse_session')).toBeUndefined();
    expect(writable(await userByEmail(email))).toEqual(before);

    const { using, landed } = await signInAtProvider();
    expect(writable(await userByEmail(email))).toEqual(before);
    const page = await using.get(landed.location as string);
    const done = await using.post(`${stack().url}/sign-in/mfa`, {
      csrf: /name="csrf" value="([^"]*)"/.exec(page.body)?.[1] ?? '',
      return_to: '/landing',
      code: totpCodeAt(secret, Math.max(Date.now(), confirmedAt + 30_000)),
    });
    expect(done.status, done.body).toBe(303);
    expect(await userByEmail(email)).toMatchObject({
      name: 'After',
      role: 'admin',
      groups: ['corp-admins'],
    });
    // The session opened after the raise survives it.
    const console = await using.get(`${stack().url}/console`);
    expect(console.status, console.body).toBe(200);
  });
});
