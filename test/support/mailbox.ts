/** A mail as the local SES emulator received it. */
export interface ReceivedMail {
  from: string;
  to: string[];
  subject: string;
  text: string;
  html: string;
  /** When it arrived, in whole seconds (the emulator's resolution). */
  at: number;
}

/** What aws-ses-v2-local's `GET /store` answers, of what we read. */
interface StoredEmail {
  from: string;
  destination: { to: string[] };
  subject: string;
  body: { text?: string; html?: string };
  at: number;
}

/** `Name <a@b>` or `a@b` -> `a@b`, for comparing addresses case-insensitively. */
const addressOf = (mailbox: string) =>
  (/<([^<>]+)>/.exec(mailbox)?.[1] ?? mailbox).trim().toLowerCase();
const sameAddress = (a: string, b: string) => addressOf(a) === addressOf(b);

/**
 * The mails sent through the local SES emulator at `sesUrl` (LocalStack's `sesUrl`), read from
 * its `GET /store`, oldest first.
 */
export const mailbox = (sesUrl: string) => {
  const all = async (): Promise<ReceivedMail[]> => {
    const response = await fetch(`${sesUrl}/store`);
    if (!response.ok) throw new Error(`GET ${sesUrl}/store: ${response.status}`);
    const { emails } = (await response.json()) as { emails: StoredEmail[] };
    return emails.map((email) => ({
      from: email.from,
      to: email.destination.to,
      subject: email.subject,
      text: email.body.text ?? '',
      html: email.body.html ?? '',
      at: email.at,
    }));
  };

  /**
   * The newest mail to `email` (and with `subjectIncludes` in its subject), waiting up to
   * `timeoutMs` for one to arrive: sending may finish just after the response that caused it.
   */
  const latestTo = async (
    email: string,
    options: { subjectIncludes?: string; timeoutMs?: number } = {},
  ): Promise<ReceivedMail> => {
    const deadline = Date.now() + (options.timeoutMs ?? 2000);
    for (;;) {
      const found = (await all())
        .filter(
          (mail) =>
            mail.to.some((to) => sameAddress(to, email)) &&
            (options.subjectIncludes === undefined ||
              mail.subject.includes(options.subjectIncludes)),
        )
        .at(-1);
      if (found) return found;
      if (Date.now() >= deadline) {
        const what = options.subjectIncludes ? ` with "${options.subjectIncludes}"` : '';
        throw new Error(`No mail to ${email}${what} reached the local SES emulator.`);
      }
      await new Promise((wait) => setTimeout(wait, 50));
    }
  };

  /** How many mails went to `email` so far (to check that one was, or was not, sent). */
  const countTo = async (email: string): Promise<number> =>
    (await all()).filter((mail) => mail.to.some((to) => sameAddress(to, email))).length;

  return { all, latestTo, countTo };
};
