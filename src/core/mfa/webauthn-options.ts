import { randomBytes } from 'node:crypto';
import type {
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
} from '@simplewebauthn/server';
import type { CoreDeps } from '../shared/deps';
import { GatehouseError } from '../shared/errors';
import type { UserRecord } from '../users/users';
import { assertRoomForFactor } from './factor-cap';
import type { MfaFactorRecord } from './factors';
import { mfaTokenHash } from './mfa-tokens';
import {
  WEBAUTHN_CHALLENGE_MS,
  type WebAuthnChallengeRecord,
  type WebAuthnPurpose,
} from './webauthn-challenges';
import { webAuthnLibrary } from './webauthn-library';

const TIMEOUT_MS = WEBAUTHN_CHALLENGE_MS;

/** The user's WebAuthn factors, as allowCredentials / excludeCredentials name them. */
const descriptorsOf = (factors: readonly MfaFactorRecord[]) =>
  factors.flatMap((factor) =>
    factor.webauthn
      ? [
          {
            id: factor.webauthn.credentialId,
            transports: factor.webauthn.transports,
          },
        ]
      : [],
  );

const remember = (
  deps: CoreDeps,
  challenge: string,
  purpose: WebAuthnPurpose,
  userId: string | null,
  extra: Pick<WebAuthnChallengeRecord, 'mfaTokenHash' | 'userHandle'> = {},
) =>
  deps.store.createWebAuthnChallenge({
    challenge,
    purpose,
    userId,
    expiresAt: deps.clock.now() + WEBAUTHN_CHALLENGE_MS,
    ...extra,
  });

/**
 * Registration options for `POST /me/mfa/webauthn/options` (the caller proved the user).
 * `user.id` is 32 random bytes, the same for every credential of the user while they have
 * one, so an authenticator replaces its passkey for this account instead of adding another.
 */
export const webAuthnRegistrationOptions = async (
  deps: CoreDeps,
  user: UserRecord,
): Promise<PublicKeyCredentialCreationOptionsJSON> => {
  const { factors } = await deps.store.getMfaState(user.id);
  // Refused before the ceremony; the registration's count condition is what holds the cap.
  assertRoomForFactor(factors.length);
  const known = factors.find((factor) => factor.webauthn?.userHandle)?.webauthn?.userHandle;
  const { generateRegistrationOptions, isoBase64URL } = await webAuthnLibrary();
  const userHandle = known ?? isoBase64URL.fromBuffer(randomBytes(32));
  const options = await generateRegistrationOptions({
    rpName: deps.config.webauthn.rpName,
    rpID: deps.config.webauthn.rpId,
    userName: user.email,
    userDisplayName: user.name ?? user.email,
    userID: isoBase64URL.toBuffer(userHandle),
    timeout: TIMEOUT_MS,
    attestationType: 'none',
    excludeCredentials: descriptorsOf(factors),
    authenticatorSelection: { residentKey: 'preferred', userVerification: 'preferred' },
  });
  await remember(deps, options.challenge, 'register', user.id, { userHandle });
  return options;
};

/** Assertion options whose challenge is stored for one purpose (and user, and mfa_token). */
const assertionOptions = async (
  deps: CoreDeps,
  purpose: WebAuthnPurpose,
  userId: string | null,
  factors: readonly MfaFactorRecord[],
  extra: Pick<WebAuthnChallengeRecord, 'mfaTokenHash'> = {},
): Promise<PublicKeyCredentialRequestOptionsJSON> => {
  const { generateAuthenticationOptions } = await webAuthnLibrary();
  const options = await generateAuthenticationOptions({
    rpID: deps.config.webauthn.rpId,
    timeout: TIMEOUT_MS,
    // Passwordless sign-in has no other factor: the authenticator must verify the person.
    userVerification: purpose === 'passkey' ? 'required' : 'preferred',
    ...(purpose === 'passkey' ? {} : { allowCredentials: descriptorsOf(factors) }),
  });
  await remember(deps, options.challenge, purpose, userId, extra);
  return options;
};

/** `POST /auth/passkey/options`: discoverable credentials, user verification required. */
export const passkeyOptions = (deps: CoreDeps) => assertionOptions(deps, 'passkey', null, []);

/**
 * `POST /auth/mfa/challenge {mfa_token, factor_id}`: a WebAuthn factor's assertion options,
 * bound to that mfa_token. The token is checked, never spent: only a verify spends it.
 */
export const mfaChallengeOptions = async (
  deps: CoreDeps,
  mfaToken: string,
  factorId: string,
): Promise<PublicKeyCredentialRequestOptionsJSON> => {
  const hash = mfaTokenHash(mfaToken);
  const token = await deps.store.getMfaToken(hash);
  if (!token || token.usedAt !== null || token.expiresAt <= deps.clock.now()) {
    throw new GatehouseError('token_invalid', 'The mfa_token is invalid or spent.');
  }
  const { factors } = await deps.store.getMfaState(token.userId);
  const factor = factors.find((candidate) => candidate.factorId === factorId);
  if (!factor) throw new GatehouseError('not_found', 'factor_id: no such factor.');
  if (!factor.webauthn) {
    throw new GatehouseError(
      'record_invalid',
      'factor_id: a TOTP factor needs no challenge; send its code to /auth/mfa/verify.',
    );
  }
  return assertionOptions(deps, 'second-factor', token.userId, [factor], { mfaTokenHash: hash });
};

/**
 * Step-up by a WebAuthn assertion (`credential` in a `/me` body): options over the user's
 * WebAuthn factors, whose challenge serves only a step-up of this user.
 */
export const stepUpAssertionOptions = async (
  deps: CoreDeps,
  userId: string,
): Promise<PublicKeyCredentialRequestOptionsJSON> => {
  const { factors } = await deps.store.getMfaState(userId);
  const allowed = factors.filter((factor) => factor.webauthn);
  if (allowed.length === 0) {
    throw new GatehouseError('not_found', 'You have no WebAuthn factor to prove yourself with.');
  }
  return assertionOptions(deps, 'step-up', userId, allowed);
};
