import { createRequire } from 'node:module';

export interface SesLocal {
  /** The SES endpoint (SES_ENDPOINT), and the web page listing the mails received. */
  url: string;
  port: number;
  /** Settles when the emulator's server closes or fails without stop() asking it to. */
  died: Promise<string>;
  stop(): Promise<void>;
}

/** The sender `npm start` and the tests use when EMAIL_FROM is not set. */
export const localEmailFrom = 'Gatehouse <no-reply@gatehouse.local>';

/**
 * Starts aws-ses-v2-local, an SES v2 emulator, in this process on 127.0.0.1: on `port`, or on
 * a free one the system picks. It keeps mails in memory (`GET /store`, the page at `/`) and
 * sends nothing anywhere (unless SMTP_TRANSPORT is set, which it reads to relay). Its store is
 * one per process: two emulators started in one process list the same mails.
 */
export const startSesLocal = async (options: { port?: number } = {}): Promise<SesLocal> => {
  // Required, not imported: a CommonJS module whose default export ESM loaders wrap differently.
  const { default: startEmulator } = createRequire(import.meta.url)(
    'aws-ses-v2-local',
  ) as typeof import('aws-ses-v2-local');
  const server = await startEmulator({ host: '127.0.0.1', port: options.port ?? 0 });
  // Express hands a listen error to the callback, so the emulator resolves with a server that
  // never listened rather than failing.
  const address = server.listening ? server.address() : null;
  if (!address || typeof address === 'string') {
    throw new Error(
      `The local SES emulator could not listen on 127.0.0.1:${options.port ?? 0} (is the port ` +
        'taken? Set SES_LOCAL_PORT to another one).',
    );
  }
  let asked = false;
  const died = new Promise<string>((done) => {
    server.once('close', () => {
      if (!asked) done('closed');
    });
    server.once('error', (error: Error) => {
      if (!asked) done(`failed (${error.message})`);
    });
  });
  return {
    url: `http://127.0.0.1:${address.port}`,
    port: address.port,
    died,
    stop: () =>
      new Promise<void>((done) => {
        asked = true;
        server.close(() => done());
        server.closeAllConnections();
      }),
  };
};
