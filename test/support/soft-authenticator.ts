import {
  createHash,
  createSign,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
} from 'node:crypto';
import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from '@simplewebauthn/server';
import { isoBase64URL, isoCBOR } from '@simplewebauthn/server/helpers';

/**
 * A software WebAuthn authenticator and client for Node tests: P-256 keys, attestation
 * 'none', authenticatorData with UP/UV/AT, a sign counter the test controls, discoverable
 * credentials with their userHandle. It builds what a browser's `navigator.credentials`
 * would answer from the server's options JSON and an origin; it knows nothing of the server.
 */

interface SoftCredential {
  id: string;
  rpId: string;
  userHandle: string;
  privateKey: KeyObject;
  counter: number;
  discoverable: boolean;
}

const FLAG_UP = 0x01;
const FLAG_UV = 0x04;
const FLAG_AT = 0x40;

const sha256 = (data: Uint8Array | string) => createHash('sha256').update(data).digest();

const u32 = (value: number) => {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32BE(value);
  return bytes;
};

/** The public key as COSE (EC2, ES256, P-256), CBOR-encoded. */
const coseKeyOf = (publicKey: KeyObject): Uint8Array => {
  const jwk = publicKey.export({ format: 'jwk' });
  return isoCBOR.encode(
    new Map<number, number | Uint8Array>([
      [1, 2],
      [3, -7],
      [-1, 1],
      [-2, isoBase64URL.toBuffer(String(jwk.x))],
      [-3, isoBase64URL.toBuffer(String(jwk.y))],
    ]),
  );
};

const clientData = (type: 'webauthn.create' | 'webauthn.get', challenge: string, origin: string) =>
  Buffer.from(JSON.stringify({ type, challenge, origin, crossOrigin: false }));

export interface AssertOptions {
  /** Which credential (else the first the options allow, or the newest discoverable one). */
  credentialId?: string;
  /** Sign with this counter instead of the next one (a clone's stale counter, a reset). */
  counter?: number;
  /** How much the counter moves per assertion (0: an authenticator that keeps none). */
  counterStep?: number;
  /** The authenticator verified the user (PIN, biometrics); default true. */
  userVerified?: boolean;
  /** Sign for another rp id than the options name (an attacker's relying party). */
  rpId?: string;
  /** Answer without the userHandle (a non-discoverable credential does). */
  omitUserHandle?: boolean;
}

export class SoftAuthenticator {
  private readonly credentials: SoftCredential[] = [];

  /** Every credential id it holds, oldest first. */
  get credentialIds(): string[] {
    return this.credentials.map((credential) => credential.id);
  }

  /** `navigator.credentials.create()`: a new credential for the options' rp and user. */
  register(
    options: PublicKeyCredentialCreationOptionsJSON,
    origin: string,
    settings: { userVerified?: boolean; counter?: number } = {},
  ): RegistrationResponseJSON {
    const rpId = options.rp.id ?? new URL(origin).hostname;
    const excluded = new Set((options.excludeCredentials ?? []).map((d) => d.id));
    if (this.credentials.some((c) => c.rpId === rpId && excluded.has(c.id))) {
      throw new Error('InvalidStateError: this authenticator is registered already');
    }
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const rawId = randomBytes(32);
    const discoverable = options.authenticatorSelection?.residentKey !== 'discouraged';
    const credential: SoftCredential = {
      id: isoBase64URL.fromBuffer(rawId),
      rpId,
      userHandle: options.user.id,
      privateKey,
      counter: settings.counter ?? 0,
      discoverable,
    };
    // A discoverable credential replaces the one it held for the same account (user.id).
    const replaced = this.credentials.findIndex(
      (c) => c.rpId === rpId && c.userHandle === options.user.id && c.discoverable,
    );
    if (replaced >= 0 && discoverable) this.credentials.splice(replaced, 1);
    this.credentials.push(credential);
    const authData = Buffer.concat([
      sha256(rpId),
      Buffer.from([FLAG_UP | FLAG_AT | (settings.userVerified === false ? 0 : FLAG_UV)]),
      u32(credential.counter),
      Buffer.alloc(16),
      Buffer.from([rawId.length >> 8, rawId.length & 0xff]),
      rawId,
      coseKeyOf(publicKey),
    ]);
    const attestationObject = isoCBOR.encode(
      new Map<string, Uint8Array | string | Map<string, string>>([
        ['fmt', 'none'],
        ['attStmt', new Map<string, string>()],
        ['authData', authData],
      ]),
    );
    return {
      id: credential.id,
      rawId: credential.id,
      type: 'public-key',
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
      response: {
        clientDataJSON: isoBase64URL.fromBuffer(
          clientData('webauthn.create', options.challenge, origin),
        ),
        attestationObject: isoBase64URL.fromBuffer(attestationObject),
        transports: ['internal'],
      },
    };
  }

  /** `navigator.credentials.get()`: an assertion over the options' challenge. */
  assert(
    options: PublicKeyCredentialRequestOptionsJSON,
    origin: string,
    settings: AssertOptions = {},
  ): AuthenticationResponseJSON {
    const rpId = settings.rpId ?? options.rpId ?? new URL(origin).hostname;
    const credential = this.pick(options, rpId, settings.credentialId);
    credential.counter = settings.counter ?? credential.counter + (settings.counterStep ?? 1);
    const authData = Buffer.concat([
      sha256(rpId),
      Buffer.from([FLAG_UP | (settings.userVerified === false ? 0 : FLAG_UV)]),
      u32(credential.counter),
    ]);
    const clientDataJSON = clientData('webauthn.get', options.challenge, origin);
    const signature = createSign('SHA256')
      .update(Buffer.concat([authData, sha256(clientDataJSON)]))
      .sign(credential.privateKey);
    return {
      id: credential.id,
      rawId: credential.id,
      type: 'public-key',
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
      response: {
        clientDataJSON: isoBase64URL.fromBuffer(clientDataJSON),
        authenticatorData: isoBase64URL.fromBuffer(authData),
        signature: isoBase64URL.fromBuffer(signature),
        ...(settings.omitUserHandle ? {} : { userHandle: credential.userHandle }),
      },
    };
  }

  /** Another authenticator holding a copy of one credential (same key, its own counter). */
  clone(credentialId: string): SoftAuthenticator {
    const copy = new SoftAuthenticator();
    const original = this.credentials.find((c) => c.id === credentialId);
    if (!original) throw new Error(`no credential ${credentialId}`);
    copy.credentials.push({ ...original });
    return copy;
  }

  /** Forgets a credential, as a user deleting a passkey from their device does. */
  forget(credentialId: string): void {
    const index = this.credentials.findIndex((c) => c.id === credentialId);
    if (index >= 0) this.credentials.splice(index, 1);
  }

  private pick(
    options: PublicKeyCredentialRequestOptionsJSON,
    rpId: string,
    wanted: string | undefined,
  ): SoftCredential {
    const allowed = new Set((options.allowCredentials ?? []).map((d) => d.id));
    const candidates = this.credentials.filter((c) =>
      wanted ? c.id === wanted : allowed.size ? allowed.has(c.id) : c.discoverable,
    );
    const chosen = candidates.at(-1);
    if (!chosen) throw new Error(`NotAllowedError: no credential for ${rpId}`);
    return chosen;
  }
}
