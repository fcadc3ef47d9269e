import type { Mailer } from '../core/mailer';
import { logger } from './logger';
import type { MailerEvent } from './mail-queue';

const isText = (value: unknown): value is string => typeof value === 'string';

/**
 * The mailer function's work: one well-formed mail to SES. Only Gatehouse's functions may
 * invoke it (IAM), yet a malformed event is dropped rather than retried. Nothing is logged of
 * the message: it carries one-time tokens.
 */
export const mailerEventHandler =
  (mailer: Mailer) =>
  async (event: MailerEvent): Promise<void> => {
    const message = (event as unknown as { message?: Record<string, unknown> } | null)?.message;
    const { to, subject, text, html } = message ?? {};
    if (!isText(to) || !isText(subject) || !isText(text) || !isText(html)) {
      logger.error('mailer: dropped an event that is not {message: {to, subject, text, html}}');
      return;
    }
    await mailer.send({ to, subject, text, html });
  };
