import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { useLocalStack } from '../support/local-stack';

/**
 * Red team 18 (issue 15, MFA_REQUIRED_ROLES): an unscoped API token carries its owner's full
 * current grants at each use, and nothing applies MFA_REQUIRED_ROLES to it. A password thief
 * makes one while the account is an editor (no MFA asked); once an owner raises the account
 * to admin (a role in MFA_REQUIRED_ROLES), the token the raise kept (made by the person) uses
 * admin grants although no factor was ever verified, while every new login of that admin is
 * held back to `profile`. States the secure behaviour; FAILS on main.
 */
const OWNER = { email: 'owner@rt18b.test', password: 'rt18b owner passphrase' };
const PASSWORD = 'an editor passphrase 5678';

const { call, signIn } = useLocalStack({
  DEFAULT_OWNER_EMAIL: OWNER.email,
  DEFAULT_OWNER_PASSWORD: OWNER.password,
  RATE_LIMIT_PER_IP: '0',
  REVOCATION_CACHE_SECONDS: '0',
  MFA_REQUIRED_ROLES: 'admin',
});
let ownerToken: string;

beforeAll(async () => {
  ownerToken = await signIn(OWNER.email, OWNER.password);
});

describe('MFA_REQUIRED_ROLES and API tokens', () => {
  it('a token made as editor does not carry admin grants without a factor after a raise', async () => {
    const email = `e-${randomUUID().slice(0, 8)}@rt18b.test`;
    const made = await call('POST', '/users', {
      token: ownerToken,
      json: { email, role: 'editor', password: PASSWORD },
    });
    expect(made.status, made.text).toBe(201);
    const id = made.body.user.id as string;
    // The thief: the editor's password alone (editor is not in MFA_REQUIRED_ROLES).
    const thief = await signIn(email, PASSWORD);
    const minted = await call('POST', '/tokens', { token: thief, json: { name: 'loot' } });
    expect(minted.status, minted.text).toBe(201);
    const apiToken = (minted.body.secret ?? minted.body.token) as string;
    expect(apiToken).toBeTruthy();
    const raised = await call('PATCH', `/users/${id}`, {
      token: ownerToken,
      json: { role: 'admin' },
    });
    expect(raised.status, raised.text).toBe(200);
    // A new login of this admin without a factor is held back to profile...
    const fresh = await call('POST', '/auth/sign-in', {
      json: { login: email, password: PASSWORD },
    });
    expect(fresh.status, fresh.text).toBe(200);
    expect(fresh.body.scope).toBe('profile');
    // ...and so must be the token the thief made with the password alone.
    const listed = await call('GET', '/users', { token: apiToken });
    expect(listed.status, listed.text).toBe(403);
  });
});
