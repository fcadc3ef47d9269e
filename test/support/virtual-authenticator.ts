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
 * CTAP2, internal transport, resident keys, user verification that always succeeds.
 *
 * It stays quiet (no presence) except inside `answerOnce` or after `answerAlways`. Chromium's
 * virtual authenticator answers a conditional request (the sign-in page's autofill) by itself
 * too, which no real browser does without the person picking the passkey, and which would race
 * a button's ceremony: unless `autofill` is asked for, the tab reports no conditional mediation,
 * so the pages offer none and only the buttons run ceremonies.
 */
export const addVirtualAuthenticator = async (page: Page, { autofill = false } = {}) => {
  if (!autofill) {
    await page.addInitScript(
      'PublicKeyCredential.isConditionalMediationAvailable = () => Promise.resolve(false);',
    );
  }
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable', { enableUI: false });
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: false,
    },
  });
  const setPresence = async (enabled: boolean) => {
    await cdp.send('WebAuthn.setAutomaticPresenceSimulation', { authenticatorId, enabled });
  };
  return {
    /** The credentials it holds, private keys and sign counts included. */
    credentials: async (): Promise<VirtualCredential[]> =>
      (await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials,
    /** Puts a credential in it as given (a copy of another authenticator's, say). */
    addCredential: async (credential: VirtualCredential) => {
      await cdp.send('WebAuthn.addCredential', { authenticatorId, credential });
    },
    /**
     * Runs `act` (a click that starts a ceremony) with the authenticator answering, until it
     * has made or used a credential once; then it is quiet again.
     */
    answerOnce: async (act: () => Promise<void>) => {
      // Quiet again as soon as it has answered: the page the answer leads to asks nothing of it.
      const answered = new Promise<void>((resolve) => {
        cdp.once('WebAuthn.credentialAdded', () => resolve());
        cdp.once('WebAuthn.credentialAsserted', () => resolve());
      }).then(() => setPresence(false));
      await setPresence(true);
      await act();
      await answered;
    },
    /** Answers every request from now on, the autofill's included. */
    answerAlways: () => setPresence(true),
  };
};

export type VirtualAuthenticator = Awaited<ReturnType<typeof addVirtualAuthenticator>>;
