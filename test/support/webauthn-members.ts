import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import type { Reply } from './http-client';
import { SoftAuthenticator } from './soft-authenticator';

type Call = (
  method: string,
  path: string,
  options?: { json?: unknown; token?: string; headers?: Record<string, string>; body?: string },
) => Promise<Reply>;

export const MEMBER_PASSWORD = 'a member passphrase 4321';

/**
 * Members over HTTP with a passkey registered through `/me/mfa/webauthn` by the software
 * authenticator (password proof), for the WebAuthn e2e files.
 */
export const webAuthnMembers = (call: Call, ownerToken: () => string, origin: () => string) => {
  const newMember = async (role = 'viewer') => {
    const email = `w-${randomUUID().slice(0, 8)}@webauthn.test`;
    const made = await call('POST', '/users', {
      token: ownerToken(),
      json: { email, role, password: MEMBER_PASSWORD },
    });
    expect(made.status, made.text).toBe(201);
    const signedIn = await call('POST', '/auth/sign-in', {
      json: { login: email, password: MEMBER_PASSWORD },
    });
    expect(signedIn.status, signedIn.text).toBe(200);
    return { id: made.body.user.id as string, email, token: signedIn.body.access_token as string };
  };

  /** Registers a new credential of `device` for the member (password proof); answers the reply. */
  const register = async (
    token: string,
    device: SoftAuthenticator,
    proof: Record<string, unknown> = { password: MEMBER_PASSWORD },
  ) => {
    const options = await call('POST', '/me/mfa/webauthn/options', { token, json: proof });
    expect(options.status, options.text).toBe(200);
    return call('POST', '/me/mfa/webauthn', {
      token,
      json: { credential: device.register(options.body, origin()), name: 'soft key' },
    });
  };

  /** A member with one passkey: its factor id, the authenticator and the recovery codes. */
  const withPasskey = async (role = 'viewer') => {
    const member = await newMember(role);
    const device = new SoftAuthenticator();
    const added = await register(member.token, device);
    expect(added.status, added.text).toBe(201);
    return {
      ...member,
      device,
      factorId: added.body.factor.factor_id as string,
      codes: added.body.recovery_codes as string[],
    };
  };

  const passkeyAssertion = async (device: SoftAuthenticator, settings = {}, at = origin()) => {
    const options = await call('POST', '/auth/passkey/options');
    expect(options.status, options.text).toBe(200);
    return device.assert(options.body, at, settings);
  };

  const passkeySignIn = async (device: SoftAuthenticator, settings = {}, at = origin()) =>
    call('POST', '/auth/passkey/verify', {
      json: { credential: await passkeyAssertion(device, settings, at) },
    });

  return { newMember, register, withPasskey, passkeyAssertion, passkeySignIn };
};
