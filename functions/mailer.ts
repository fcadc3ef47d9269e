import { mailerFromEnv } from '../src/http/mailer';
import { mailerEventHandler } from '../src/http/mailer-function';

/** Invoked asynchronously (src/http/mail-queue.ts): sends one mail; a throw makes Lambda retry. */
export const handler = mailerEventHandler(mailerFromEnv(process.env));
