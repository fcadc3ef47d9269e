import type { AuthenticationResponseJSON } from '@simplewebauthn/server';
import { isCanonicalBase64url } from '../shared/base64url';
import type { CoreDeps } from '../shared/deps';
import type { MfaFactorRecord, WebAuthnCredential } from './factors';
import { counterAdvances, type MfaProof } from './mfa-store';
import type { WebAuthnPurpose } from './webauthn-challenges';
import { webAuthnLibrary } from './webauthn-library';

/** Why an assertion was refused: audited, never shown (every caller answers one error). */
type AssertionRefusal =
  | 'challenge_invalid'
  | 'unknown_credential'
  | 'invalid_signature'
  | 'user_unverified'
  | 'counter_stale';

export type AssertionOutcome =
  | { ok: true; userId: string; factor: MfaFactorRecord; proof: MfaProof }
  | { ok: false; userId: string | null; reason: AssertionRefusal };

/** What the challenge must have been issued for. */
interface ExpectedChallenge {
  purpose: WebAuthnPurpose;
  /** The user it must name; null: a passkey sign-in, where the credential names the user. */
  userId: string | null;
  /** A second factor's: the mfa_token it was asked with. */
  mfaTokenHash?: string;
}

/** Our challenges are 43 characters; past this no stored one can match. */
const MAX_CHALLENGE = 128;

/** The challenge a response answers (`clientDataJSON.challenge`), or null when unreadable. */
export const challengeOf = (credential: {
  response?: { clientDataJSON?: unknown };
}): string | null => {
  const data = credential.response?.clientDataJSON;
  if (typeof data !== 'string') return null;
  try {
    // clientDataJSON is base64url of a JSON object (as the library's decodeClientDataJSON).
    const challenge = JSON.parse(Buffer.from(data, 'base64url').toString('utf8')).challenge;
    // Only the shape of a challenge we issue (canonical base64url, 43 characters): anything else is
    // refused before it becomes a store key (a 6,000-character one exceeds DynamoDB's key size).
    return typeof challenge === 'string' &&
      challenge.length > 0 &&
      challenge.length <= MAX_CHALLENGE &&
      isCanonicalBase64url(challenge)
      ? challenge
      : null;
  } catch {
    return null;
  }
};

/** The factor holding the asserted credential: of the named user, or found by credential id. */
const factorOf = async (
  deps: CoreDeps,
  credentialId: string,
  userId: string | null,
): Promise<(MfaFactorRecord & { webauthn: WebAuthnCredential }) | null> => {
  const owner = userId ?? (await deps.store.findWebAuthnCredential(credentialId))?.userId;
  if (!owner) return null;
  const { factors } = await deps.store.getMfaState(owner);
  const factor = factors.find((f) => f.webauthn?.credentialId === credentialId);
  return factor?.webauthn ? { ...factor, webauthn: factor.webauthn } : null;
};

/** The library's verdict on the signature, origin, rp id, flags; our counter rule after it. */
const verdictOf = async (
  deps: CoreDeps,
  credential: AuthenticationResponseJSON,
  challenge: string,
  stored: WebAuthnCredential,
  requireUserVerification: boolean,
): Promise<{ counter: number } | AssertionRefusal> => {
  const handle = credential.response.userHandle;
  // A discoverable credential names its account: it must be the one it was registered for.
  if (handle && stored.userHandle && handle !== stored.userHandle) return 'invalid_signature';
  const { verifyAuthenticationResponse, isoBase64URL } = await webAuthnLibrary();
  try {
    const { verified, authenticationInfo } = await verifyAuthenticationResponse({
      response: credential,
      expectedChallenge: challenge,
      expectedOrigin: deps.config.webauthn.origins,
      expectedRPID: deps.config.webauthn.rpId,
      expectedType: 'webauthn.get',
      // Counter 0 here: the library then checks only the signature; counterAdvances below
      // judges the counter of a genuinely signed assertion, so a clone is told apart.
      credential: {
        id: stored.credentialId,
        publicKey: isoBase64URL.toBuffer(stored.publicKey),
        counter: 0,
        transports: stored.transports as never,
      },
      requireUserVerification,
    });
    if (!verified) return 'invalid_signature';
    return { counter: authenticationInfo.newCounter };
  } catch (error) {
    const message = error instanceof Error ? error.message : '';
    return message.includes('User verification required') ? 'user_unverified' : 'invalid_signature';
  }
};

/**
 * Checks a WebAuthn assertion. Invariant: its challenge is taken (spent) first, whatever
 * follows, and must have been issued for `expected` (purpose, user, mfa_token) within 300 s;
 * the credential must be a live factor of that user; the signature, origin and rp id verify;
 * and its counter advances (the proof the caller spends atomically re-checks that).
 */
export const checkAssertion = async (
  deps: CoreDeps,
  credential: AuthenticationResponseJSON,
  expected: ExpectedChallenge,
  requireUserVerification: boolean,
): Promise<AssertionOutcome> => {
  // Loaded before the challenge is spent: a failed load leaves the challenge for a retry.
  await webAuthnLibrary();
  const challenge = challengeOf(credential);
  const record = challenge
    ? await deps.store.takeWebAuthnChallenge(challenge, deps.clock.now())
    : null;
  const fitting =
    record !== null &&
    record.purpose === expected.purpose &&
    (expected.userId === null || record.userId === expected.userId) &&
    record.mfaTokenHash === expected.mfaTokenHash;
  if (!record || !fitting)
    return { ok: false, userId: expected.userId, reason: 'challenge_invalid' };
  const factor = await factorOf(deps, String(credential.id), expected.userId);
  if (!factor) return { ok: false, userId: expected.userId, reason: 'unknown_credential' };
  const verdict = await verdictOf(
    deps,
    credential,
    record.challenge,
    factor.webauthn,
    requireUserVerification,
  );
  if (typeof verdict === 'string') return { ok: false, userId: factor.userId, reason: verdict };
  // Invariant: a cloned authenticator's stale counter is refused (and audited by the caller).
  if (!counterAdvances(factor.webauthn.counter, verdict.counter)) {
    return { ok: false, userId: factor.userId, reason: 'counter_stale' };
  }
  return {
    ok: true,
    userId: factor.userId,
    factor,
    proof: {
      kind: 'webauthn',
      userId: factor.userId,
      factorId: factor.factorId,
      counter: verdict.counter,
    },
  };
};
