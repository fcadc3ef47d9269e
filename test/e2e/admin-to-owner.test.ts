import { beforeAll, describe, expect, it } from 'vitest';
import { useLocalStack } from '../support/local-stack';

// Red team A, finding 2, over HTTP on DynamoDB Local, inverted: the admin sets a viewer's
// password, signs in as the viewer and makes an API token there (created_by is the viewer).
// The session records that an admin's password opened it, the token inherits that taint, and
// an owner's raise revokes it before the raise is saved: the attack fails.
const OWNER = { email: 'owner@esc.test', password: 'escalation e2e owner passphrase' };

const { call, signIn } = useLocalStack({
  DEFAULT_OWNER_EMAIL: OWNER.email,
  DEFAULT_OWNER_PASSWORD: OWNER.password,
  REVOCATION_CACHE_SECONDS: '0',
  RATE_LIMIT_PER_IP: '1000',
});

let ownerToken: string;
beforeAll(async () => {
  ownerToken = await signIn(OWNER.email, OWNER.password);
});

describe('admin to owner over HTTP (finding 2)', () => {
  it('an API token minted in a viewer session the admin opened is revoked when an owner promotes the viewer', async () => {
    const admin = await call('POST', '/users', {
      token: ownerToken,
      json: { email: 'ada@esc.test', role: 'admin', password: 'ada the admin passphrase' },
    });
    expect(admin.status, admin.text).toBe(201);
    const pat = await call('POST', '/users', {
      token: ownerToken,
      json: { email: 'pat@esc.test', role: 'viewer', password: 'pat the viewer passphrase' },
    });
    expect(pat.status, pat.text).toBe(201);
    const adaToken = await signIn('ada@esc.test', 'ada the admin passphrase');

    // the admin sets Pat's password, signs in as Pat, mints an unscoped token
    const set = await call('POST', `/users/${pat.body.user.id}/password`, {
      token: adaToken,
      json: { password: 'ada knows this one now' },
    });
    expect(set.status, set.text).toBe(204);
    const asPat = await signIn('pat@esc.test', 'ada knows this one now');
    const minted = await call('POST', '/tokens', { token: asPat, json: { name: 'sync job' } });
    expect(minted.status, minted.text).toBe(201);
    const sat = minted.body.token as string;

    // while Pat is a viewer the token can do nothing owner-ish
    const before = await call('POST', '/users', {
      token: sat,
      json: { email: 'x1@esc.test', role: 'owner', password: 'x1 made by the token pw' },
    });
    expect(before.status).toBe(403);

    // the owner promotes Pat: the admin-set password is removed, the admin's token revoked
    const raise = await call('PATCH', `/users/${pat.body.user.id}`, {
      token: ownerToken,
      json: { role: 'owner' },
    });
    expect(raise.status, raise.text).toBe(200);
    const oldPw = await call('POST', '/auth/sign-in', {
      json: { login: 'pat@esc.test', password: 'ada knows this one now' },
    });
    expect(oldPw.status).toBe(401);

    // the admin's token is dead: it adds nobody, and is listed revoked
    const after = await call('POST', '/users', {
      token: sat,
      json: { email: 'ada2@esc.test', role: 'owner', password: 'ada second owner account' },
    });
    expect(after.status, after.text).toBe(401);
    const listed = await call('GET', `/tokens/${minted.body.token_id}`, { token: ownerToken });
    expect(listed.status, listed.text).toBe(200);
    expect(listed.body.revoked_at).not.toBeNull();
  });
});
