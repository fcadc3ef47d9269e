import { describe, expect, it } from 'vitest';
import { localEmailFrom } from '../../dev/ses-local';
import { mailerFromEnv } from '../../src/http/mailer';
import { useLocalStack } from '../support/local-stack';

/** The SES v2 mailer against the local SES emulator `npm start` runs, as the account flows use it. */
const { stack, mail } = useLocalStack({});

describe('mailer', () => {
  it('sends through SES v2 to the emulator, subject, text and HTML intact', async () => {
    const message = {
      to: 'Ada.Lovelace@example.com',
      subject: 'Vérifiez votre adresse – Gatehouse',
      text: 'Open https://auth.example.com/verify-email#token=evt_abc\nIt works for a day.',
      html: '<p>Open <a href="https://auth.example.com/verify-email#token=evt_abc">this link</a> — ✓</p>',
    };
    await mailerFromEnv(process.env).send(message);

    const received = await mail().latestTo('ada.lovelace@example.com');
    expect(received).toMatchObject({
      from: localEmailFrom,
      to: [message.to],
      subject: message.subject,
      text: message.text,
      html: message.html,
    });
    expect(await mail().countTo(message.to)).toBe(1);
  });

  it('points the SDK at the emulator, which serves its mail page', async () => {
    expect(process.env.SES_ENDPOINT).toBe(stack().sesUrl);
    const page = await fetch(`${stack().sesUrl}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<html');
  });

  it('waits briefly for a mail, then says none came', async () => {
    await expect(mail().latestTo('nobody@example.com', { timeoutMs: 200 })).rejects.toThrow(
      /No mail to nobody@example.com/,
    );
  });

  it('passes on what SES refuses as an error', async () => {
    const mailer = mailerFromEnv(process.env);
    // SES (and the emulator) refuse a message without a subject.
    await expect(
      mailer.send({ to: 'refused@example.com', subject: '', text: 't', html: 'h' }),
    ).rejects.toThrow();
    expect(await mail().countTo('refused@example.com')).toBe(0);
  });
});
