import { decodeJwt } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { useLocalStack } from '../support/local-stack';
import { basicAuth } from '../support/oauth';

/**
 * Red team C (issue 14), kept as a regression: a client_credentials token is no sign-in, so it
 * is never step-up's recent sign-in (REAUTH_MAX_AGE_SECONDS). Before the fix its session fell
 * back to createdAt, and a service account's fresh token changed its email with no proof.
 */
const OWNER = { email: 'owner@svc.test', password: 'svc owner passphrase 111' };

const { call, signIn, tokenEndpoint, registerClient } = useLocalStack({
  DEFAULT_OWNER_EMAIL: OWNER.email,
  DEFAULT_OWNER_PASSWORD: OWNER.password,
});
let auth: { authorization: string };

beforeAll(async () => {
  const owner = await signIn(OWNER.email, OWNER.password);
  const client = await registerClient(owner, {
    name: 'Backend job',
    grant_types: ['client_credentials'],
    confidential: true,
    first_party: true,
  });
  auth = { authorization: basicAuth(client.client_id, client.client_secret as string) };
});

describe('a service account token is no recent sign-in', () => {
  it('is no step-up proof: PATCH /me {email} without a password is refused', async () => {
    const granted = await tokenEndpoint({ grant_type: 'client_credentials' }, auth);
    expect(granted.status, granted.text).toBe(200);
    const token = granted.body.access_token as string;
    const claims = decodeJwt(token);
    expect(claims.auth_time).toBeUndefined();
    expect(claims.amr).toEqual([]);
    const changed = await call('PATCH', '/me', {
      token,
      json: { email: 'robot-owner@attacker.svc.test' },
    });
    expect(changed.status, changed.text).toBe(403);
  });
});

// Held: the chain stops there. forgotPassword mails only human accounts, so the moved email
// gives no password to the service account.
