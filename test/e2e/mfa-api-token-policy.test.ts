import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { useLocalStack } from '../support/local-stack';
import { totpCodeAt } from '../support/totp-codes';

/**
 * MFA_REQUIRED_ROLES on API tokens (red team 18, finding 2): a token records whether the
 * credential that made it had verified a factor, and the one judge holds back a person's token
 * of an MFA-required role made without one (identity only), whenever the policy came in.
 */
const OWNER = { email: 'owner@tokpol.test', password: 'tokpol owner passphrase' };
const PASSWORD = 'an admin passphrase 5678';

const { call, signIn, restart, postForm } = useLocalStack({
  DEFAULT_OWNER_EMAIL: OWNER.email,
  DEFAULT_OWNER_PASSWORD: OWNER.password,
  RATE_LIMIT_PER_IP: '0',
  REVOCATION_CACHE_SECONDS: '0',
  MFA_REQUIRED_ROLES: '',
});

const mint = async (token: string, name: string): Promise<string> => {
  const minted = await call('POST', '/tokens', { token, json: { name } });
  expect(minted.status, minted.text).toBe(201);
  return minted.body.token as string;
};

const introspect = async (token: string, ownerToken: string) =>
  (await postForm('/oauth/introspect', { token }, { authorization: `Bearer ${ownerToken}` })).body;

let older: string;
let withFactor: string;

beforeAll(async () => {
  const ownerToken = await signIn(OWNER.email, OWNER.password);
  const email = `a-${randomUUID().slice(0, 8)}@tokpol.test`;
  const made = await call('POST', '/users', {
    token: ownerToken,
    json: { email, role: 'admin', password: PASSWORD },
  });
  expect(made.status, made.text).toBe(201);
  // Before the policy: an admin's token made with the password alone works in full.
  const session = await signIn(email, PASSWORD);
  older = await mint(session, 'older');
  expect((await call('GET', '/users', { token: older })).status).toBe(200);
  // The admin adds an authenticator app; confirming it gives this session `mfa`.
  const started = await call('POST', '/me/mfa/totp', {
    token: session,
    json: { password: PASSWORD },
  });
  expect(started.status, started.text).toBe(201);
  const confirmed = await call('POST', `/me/mfa/totp/${started.body.factor_id}/confirm`, {
    token: session,
    json: { code: totpCodeAt(started.body.secret, Date.now()) },
  });
  expect(confirmed.status, confirmed.text).toBe(200);
  withFactor = await mint(session, 'with factor');
});

describe('MFA_REQUIRED_ROLES on API tokens, once an operator turns it on', () => {
  it('holds back a token made before the policy without a factor; one made with a factor keeps its grants', async () => {
    await restart({ MFA_REQUIRED_ROLES: 'admin' });
    const ownerToken = await signIn(OWNER.email, OWNER.password);
    const held = await call('GET', '/users', { token: older });
    expect(held.status, held.text).toBe(403);
    // Valid, identity only: introspection says so, with no scope.
    expect(await introspect(older, ownerToken)).toMatchObject({ active: true, scope: '' });
    const kept = await call('GET', '/users', { token: withFactor });
    expect(kept.status, kept.text).toBe(200);
    expect((await introspect(withFactor, ownerToken)).scope).toContain('users:read');
  });

  it('a token made with a token that had a factor has one too; a held-back token makes none', async () => {
    const child = await mint(withFactor, 'child');
    expect((await call('GET', '/users', { token: child })).status).toBe(200);
    const fromOlder = await call('POST', '/tokens', { token: older, json: { name: 'grandchild' } });
    // A held-back token carries no grant, so it makes nothing.
    expect(fromOlder.status, fromOlder.text).toBe(403);
  });
});
