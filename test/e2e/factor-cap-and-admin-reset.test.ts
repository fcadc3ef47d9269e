import { beforeAll, describe, expect, it } from 'vitest';
import { MAX_FACTORS } from '../../src/core/mfa/factor-cap';
import { buildDeps } from '../../src/http/composition';
import { useLocalStack } from '../support/local-stack';
import { SoftAuthenticator } from '../support/soft-authenticator';
import { MEMBER_PASSWORD, webAuthnMembers } from '../support/webauthn-members';

/**
 * Invariants (red team 15b): no user holds more than MAX_FACTORS (10) confirmed factors, even
 * when adds race (the store's count condition holds it); so an admin's reset always clears them
 * all, and afterwards no key of the user signs in.
 */
const OWNER = { email: 'owner@factor-cap.test', password: 'factor cap owner passphrase' };

const { call, signIn } = useLocalStack({
  DEFAULT_OWNER_EMAIL: OWNER.email,
  DEFAULT_OWNER_PASSWORD: OWNER.password,
  RATE_LIMIT_PER_IP: '0',
  REVOCATION_CACHE_SECONDS: '0',
});

let ownerToken: string;
let origin: string;
beforeAll(async () => {
  ownerToken = await signIn(OWNER.email, OWNER.password);
  origin = buildDeps(process.env).config.webauthn.origins[0] as string;
});

const { newMember, register, passkeySignIn } = webAuthnMembers(
  call,
  () => ownerToken,
  () => origin,
);

const options = (token: string) =>
  call('POST', '/me/mfa/webauthn/options', { token, json: { password: MEMBER_PASSWORD } });

describe('a user’s factors', () => {
  it('stop at 10, however many are added at once, and an admin’s reset clears them all', async () => {
    const member = await newMember();
    const devices: SoftAuthenticator[] = [];
    for (let i = 0; i < MAX_FACTORS - 1; i++) {
      const device = new SoftAuthenticator();
      const added = await register(member.token, device);
      expect(added.status, `key ${i}: ${added.text}`).toBe(201);
      devices.push(device);
    }
    // Three ceremonies started at 9 factors, finished at once: one fits, the others are 409.
    const racers = [new SoftAuthenticator(), new SoftAuthenticator(), new SoftAuthenticator()];
    const started = await Promise.all(racers.map(() => options(member.token)));
    const finished = await Promise.all(
      racers.map((device, i) =>
        call('POST', '/me/mfa/webauthn', {
          token: member.token,
          json: { credential: device.register(started[i]?.body, origin), name: `racer ${i}` },
        }),
      ),
    );
    expect(finished.map((reply) => reply.status).sort()).toEqual([201, 409, 409]);
    for (const refused of finished.filter((reply) => reply.status === 409)) {
      expect(refused.body.error.code, refused.text).toBe('conflict');
      expect(refused.body.error.message).toMatch(/at most 10 factors/);
    }
    devices.push(racers[finished.findIndex((reply) => reply.status === 201)] as SoftAuthenticator);
    const listed = await call('GET', '/me/mfa', { token: member.token });
    expect(listed.body.factors).toHaveLength(MAX_FACTORS);

    // At the cap an 11th is refused before its ceremony, a passkey or an app alike.
    const eleventh = await options(member.token);
    const app = await call('POST', '/me/mfa/totp', {
      token: member.token,
      json: { password: MEMBER_PASSWORD },
    });
    expect({ passkey: eleventh.status, app: app.status }, `${eleventh.text} ${app.text}`).toEqual({
      passkey: 409,
      app: 409,
    });

    const reset = await call('DELETE', `/users/${member.id}/mfa`, { token: ownerToken });
    expect(reset.status, reset.text).toBe(204);
    const after = await Promise.all(devices.map((device) => passkeySignIn(device)));
    expect(after.map((reply) => reply.status)).toEqual(devices.map(() => 401));
  }, 240_000);
});
