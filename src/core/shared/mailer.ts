/** One email: plain text and HTML, as every mail Gatehouse sends has both. */
export interface EmailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
}

/** Sends mail: SES v2 on AWS, the aws-ses-v2-local emulator under `npm start` and the tests. */
export interface Mailer {
  send(message: EmailMessage): Promise<void>;
}

/**
 * Where the core puts account mail: a queue the request never waits on (an asynchronous Lambda
 * invocation on AWS, a background task in the local server). Whether a mail goes out may depend
 * on whether an account exists, so its sending must never shape the answer: `enqueue` resolves
 * without waiting for the mails to be sent and never rejects (the queue reports what it loses).
 * One call is one batch, queued alike when empty: a request that mails nothing for a taken
 * address does the same queue work as one that mails a free one.
 */
export interface MailQueue {
  enqueue(messages: readonly EmailMessage[]): Promise<void>;
}
