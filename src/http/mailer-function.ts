import type { EmailMessage, Mailer } from '../core/shared/mailer';
import { logger } from './logger';
import type { MailerEvent } from './mail-queue';

const isText = (value: unknown): value is string => typeof value === 'string';

const wellFormed = (message: unknown): message is EmailMessage => {
  const { to, subject, text, html } = (message ?? {}) as Record<string, unknown>;
  return isText(to) && isText(subject) && isText(text) && isText(html);
};

/**
 * The mailer function's work: each well-formed mail of the batch to SES, in order. An empty
 * batch is the queue's decoy (a request that mailed nothing) and does nothing. A failure throws
 * so that Lambda retries the batch (mail is at least once). Only Gatehouse's functions may
 * invoke it (IAM), yet a malformed event is dropped rather than retried. Nothing is logged of
 * the messages: they carry one-time tokens.
 */
export const mailerEventHandler =
  (mailer: Mailer) =>
  async (event: MailerEvent): Promise<void> => {
    const messages: unknown = (event as { messages?: unknown } | null)?.messages;
    if (!Array.isArray(messages) || !messages.every(wellFormed)) {
      logger.error('mailer: dropped an event that is not {messages: [{to, subject, text, html}]}');
      return;
    }
    for (const { to, subject, text, html } of messages) {
      await mailer.send({ to, subject, text, html });
    }
  };
