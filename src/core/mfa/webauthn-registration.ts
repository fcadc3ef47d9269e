import type { RegistrationResponseJSON } from '@simplewebauthn/server';
import type { RequestMeta } from '../audit/audit';
import type { CoreDeps } from '../shared/deps';
import { GatehouseError } from '../shared/errors';
import { newId } from '../shared/ids';
import type { CredentialOrigin } from '../users/credential-lineage';
import type { UserRecord } from '../users/users';
import { addConfirmedFactor } from './factor-addition';
import type { MfaFactorRecord, WebAuthnCredential } from './factors';
import { challengeOf } from './webauthn-assertion';
import { webAuthnLibrary } from './webauthn-library';

const refused = (why: string) => new GatehouseError('record_invalid', `credential: ${why}`);

/** The registration's verified credential, or record_invalid (never a hint of the challenge). */
const verifiedCredential = async (
  deps: CoreDeps,
  user: UserRecord,
  credential: RegistrationResponseJSON,
): Promise<Omit<WebAuthnCredential, 'origin'>> => {
  // Loaded before the challenge is spent: a failed load leaves the challenge for a retry.
  const { verifyRegistrationResponse, isoBase64URL } = await webAuthnLibrary();
  const challenge = challengeOf(credential);
  // Invariant: a registration answers a 'register' challenge of this user, once, within 300 s
  // (issued only after a step-up proof): a stolen access token alone cannot add a credential.
  const record = challenge
    ? await deps.store.takeWebAuthnChallenge(challenge, deps.clock.now())
    : null;
  if (record?.purpose !== 'register' || record.userId !== user.id) {
    throw refused('no registration of yours awaits this answer; ask for new options.');
  }
  try {
    const { verified, registrationInfo } = await verifyRegistrationResponse({
      response: credential,
      expectedChallenge: record.challenge,
      expectedOrigin: deps.config.webauthn.origins,
      expectedRPID: deps.config.webauthn.rpId,
      expectedType: 'webauthn.create',
      requireUserVerification: false,
    });
    if (!verified || !registrationInfo) throw refused('the registration did not verify.');
    return {
      credentialId: registrationInfo.credential.id,
      publicKey: isoBase64URL.fromBuffer(registrationInfo.credential.publicKey),
      counter: registrationInfo.credential.counter,
      transports: [...(registrationInfo.credential.transports ?? [])],
      ...(record.userHandle ? { userHandle: record.userHandle } : {}),
    };
  } catch (error) {
    if (error instanceof GatehouseError) throw error;
    throw refused('the registration did not verify.');
  }
};

/**
 * `POST /me/mfa/webauthn {credential, name?}`: a verified registration becomes a confirmed
 * factor at once (with its credential-id lookup); the first factor answers 10 recovery codes.
 * `origin` is the registering session's lineage, which a passkey sign-in inherits.
 */
export const registerWebAuthnFactor = async (
  deps: CoreDeps,
  user: UserRecord,
  credential: RegistrationResponseJSON,
  name: string | undefined,
  origin: CredentialOrigin,
  meta: RequestMeta,
  /** Only as the user's first factor: the registering session verified none (reauthentication.ts). */
  firstOnly = false,
) => {
  const now = deps.clock.now();
  const factor: MfaFactorRecord & { webauthn: WebAuthnCredential } = {
    factorId: newId(),
    userId: user.id,
    type: 'webauthn',
    name: name?.trim() || 'Passkey',
    createdAt: now,
    lastUsedAt: null,
    confirmedAt: now,
    webauthn: { ...(await verifiedCredential(deps, user, credential)), origin },
  };
  return addConfirmedFactor(
    deps,
    factor,
    async (expectedCount, recovery) => {
      const outcome = await deps.store.addWebAuthnFactor({ factor, expectedCount, recovery });
      if (outcome === 'taken')
        throw new GatehouseError(
          'conflict',
          'credential: this authenticator is registered already.',
        );
      return outcome;
    },
    meta,
    firstOnly,
  );
};
