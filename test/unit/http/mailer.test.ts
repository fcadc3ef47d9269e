import { describe, expect, it } from 'vitest';
import { buildDeps } from '../../../src/http/composition';
import { mailerFromEnv } from '../../../src/http/mailer';

const message = { to: 'a@example.com', subject: 'Hello', text: 'token', html: '<p>token</p>' };

describe('mailerFromEnv', () => {
  it('builds without EMAIL_FROM, as most functions never send', () => {
    expect(() => buildDeps({ ISSUER_URL: 'https://auth.example.com' })).not.toThrow();
  });

  it('fails the first send without EMAIL_FROM, naming the setting, before any SES call', async () => {
    // An endpoint nothing listens on: reaching it would fail differently.
    const mailer = mailerFromEnv({ SES_ENDPOINT: 'http://127.0.0.1:9' });
    await expect(mailer.send(message)).rejects.toThrow(/EMAIL_FROM is not set/);
    await expect(mailer.send(message)).rejects.toThrow(/EMAIL_FROM is not set/);
  });
});
