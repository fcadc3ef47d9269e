import { beforeAll, describe, expect, it } from 'vitest';
import { buildDeps } from '../../src/http/composition';
import { useLocalStack } from '../support/local-stack';
import { mailbox } from '../support/mailbox';
import { SoftAuthenticator } from '../support/soft-authenticator';
import { totpCodeAt } from '../support/totp-codes';

/**
 * Invariant (API.md, Account linking; red team 15b): after any proof of an unproven email (a
 * mailed reset link, the verification link), no credential or factor made before the proof
 * works: the squatter's passkey does not sign in, and the address's owner signs in with no
 * factor of theirs asked (every factor, recovery code and passkey lookup went).
 */
const OWNER = { email: 'owner@squat-proof.test', password: 'squat proof owner passphrase' };
const { call, signIn, stack } = useLocalStack({
  DEFAULT_OWNER_EMAIL: OWNER.email,
  DEFAULT_OWNER_PASSWORD: OWNER.password,
  SIGN_UP_ENABLED: '1',
  REQUIRE_EMAIL_VERIFICATION: '0',
  REVOCATION_CACHE_SECONDS: '0',
  RATE_LIMIT_PER_IP: '0',
});

let origin: string;
beforeAll(async () => {
  await signIn(OWNER.email, OWNER.password);
  origin = buildDeps(process.env).config.webauthn.origins[0] as string;
});

const mail = () => mailbox(stack().sesUrl);
const SQUATTER_PASSWORD = 'the squatter passphrase 1';
const FRESH = 'the real owner passphrase 2';

/** Someone signs up with the victim's address (unproven), adds a passkey and an app. */
const squat = async (victim: string) => {
  const made = await call('POST', '/auth/sign-up', {
    json: { email: victim, password: SQUATTER_PASSWORD },
  });
  expect(made.status, made.text).toBe(201);
  const session = await call('POST', '/auth/sign-in', {
    json: { login: victim, password: SQUATTER_PASSWORD },
  });
  expect(session.status, session.text).toBe(200);
  const token = session.body.access_token as string;
  const options = await call('POST', '/me/mfa/webauthn/options', {
    token,
    json: { password: SQUATTER_PASSWORD },
  });
  expect(options.status, options.text).toBe(200);
  const device = new SoftAuthenticator();
  const added = await call('POST', '/me/mfa/webauthn', {
    token,
    json: { credential: device.register(options.body, origin), name: 'squatter' },
  });
  expect(added.status, added.text).toBe(201);
  const started = await call('POST', '/me/mfa/totp', { token, json: {} });
  expect(started.status, started.text).toBe(201);
  const confirmed = await call('POST', `/me/mfa/totp/${started.body.factor_id}/confirm`, {
    token,
    json: { code: totpCodeAt(started.body.secret as string, Date.now()) },
  });
  expect(confirmed.status, confirmed.text).toBe(200);
  return device;
};

/** A session of the squatter's by their passkey (their password alone now asks for a factor). */
const squatterToken = async (login: string, device: SoftAuthenticator) => {
  const options = await call('POST', '/auth/passkey/options');
  const signedIn = await call('POST', '/auth/passkey/verify', {
    json: { credential: device.assert(options.body, origin) },
  });
  expect(signedIn.status, signedIn.text).toBe(200);
  expect(signedIn.body.access_token, login).toBeDefined();
  return signedIn.body.access_token as string;
};

/** The mailed reset link, used by whoever reads the victim's mail. */
const resetByMail = async (victim: string) => {
  expect((await call('POST', '/auth/password/forgot', { json: { email: victim } })).status).toBe(
    202,
  );
  const message = await mail().latestTo(victim, { subjectIncludes: 'Reset your password' });
  const token = /#token=(prt_[\w-]{43})/.exec(message.text)?.[1];
  expect(token, message.text).toBeDefined();
  const reset = await call('POST', '/auth/password/reset', { json: { token, password: FRESH } });
  expect(reset.status, reset.text).toBe(204);
};

/** What is left after the proof: the squatter's passkey, and the owner's own sign-in. */
const leftAfterProof = async (victim: string, device: SoftAuthenticator) => {
  const passkeyOptions = await call('POST', '/auth/passkey/options');
  const squatterBack = await call('POST', '/auth/passkey/verify', {
    json: { credential: device.assert(passkeyOptions.body, origin) },
  });
  const squatterPassword = await call('POST', '/auth/sign-in', {
    json: { login: victim, password: SQUATTER_PASSWORD },
  });
  const owner = await call('POST', '/auth/sign-in', { json: { login: victim, password: FRESH } });
  const factors = owner.body.access_token
    ? (await call('GET', '/me/mfa', { token: owner.body.access_token as string })).body.factors
    : 'no session';
  return {
    squatterPasskey: squatterBack.status,
    squatterPassword: squatterPassword.status,
    ownerPasswordSignIn: owner.status,
    ownerFactors: factors,
  };
};

const cleared = {
  squatterPasskey: 401,
  squatterPassword: 401,
  ownerPasswordSignIn: 200,
  ownerFactors: [],
};

describe('proving an unproven address ends every factor its squatter made', () => {
  it('through a mailed reset link', async () => {
    const victim = `reset-${Date.now()}@squat-proof.test`;
    const device = await squat(victim);
    await resetByMail(victim);
    expect(await leftAfterProof(victim, device)).toEqual(cleared);
  });

  it('through the verification link of an address change, used without the password', async () => {
    // The account is made with another unproven address, then asks for the victim's: the
    // one who reads the victim's mail proves it without the account's password.
    const victim = `verify-${Date.now()}@squat-proof.test`;
    const own = `own-${Date.now()}@squat-proof.test`;
    const device = await squat(own);
    const changed = await call('PATCH', '/me', {
      token: await squatterToken(own, device),
      json: { email: victim, password: SQUATTER_PASSWORD },
    });
    expect(changed.status, changed.text).toBe(200);
    const message = await mail().latestTo(victim, { subjectIncludes: 'Confirm your new email' });
    const token = /#token=(\w+_[\w-]{43})/.exec(message.text)?.[1];
    expect(token, message.text).toBeDefined();
    const verified = await call('POST', '/auth/email/verify', { json: { token } });
    expect(verified.status, verified.text).toBe(204);
    // The proof removed the squatter's password too: the owner sets one by the mailed reset.
    await resetByMail(victim);
    expect(await leftAfterProof(victim, device)).toEqual(cleared);
  });
});
