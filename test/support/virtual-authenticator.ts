import type { Page } from 'playwright-core';

/** A credential as the DevTools protocol exports and imports it (WebAuthn.Credential). */
export interface VirtualCredential {
  credentialId: string;
  isResidentCredential: boolean;
  rpId?: string;
  privateKey: string;
  userHandle?: string;
  signCount: number;
}

/**
 * A platform authenticator in one chromium tab through the DevTools protocol's WebAuthn domain:
 * CTAP2, internal transport, resident keys, user verification that always succeeds, and
 * presence given without a prompt, so the page script's ceremonies finish on their own.
 */
export const addVirtualAuthenticator = async (page: Page) => {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable', { enableUI: false });
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  return {
    /** The credentials it holds, private keys and sign counts included. */
    credentials: async (): Promise<VirtualCredential[]> =>
      (await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials,
    /** Puts a credential in it as given (a copy of another authenticator's, say). */
    addCredential: async (credential: VirtualCredential) => {
      await cdp.send('WebAuthn.addCredential', { authenticatorId, credential });
    },
  };
};

export type VirtualAuthenticator = Awaited<ReturnType<typeof addVirtualAuthenticator>>;
