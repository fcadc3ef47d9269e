type WebAuthnLibrary = typeof import('@simplewebauthn/server') &
  typeof import('@simplewebauthn/server/helpers');

let loaded: Promise<WebAuthnLibrary> | undefined;

/**
 * @simplewebauthn/server and its helpers, loaded on first use: about 0.3 s of imports that only
 * the WebAuthn ceremonies need, so the CLI's start and the cold start of every function that
 * never checks a passkey skip them.
 */
export const webAuthnLibrary = (): Promise<WebAuthnLibrary> => {
  loaded ??= Promise.all([
    import('@simplewebauthn/server'),
    import('@simplewebauthn/server/helpers'),
  ]).then(
    ([server, helpers]) => ({ ...server, ...helpers }),
    (error: unknown) => {
      // Not kept: the next request tries again.
      loaded = undefined;
      throw error;
    },
  );
  return loaded;
};
