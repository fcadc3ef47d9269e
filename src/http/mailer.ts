import type { SESv2Client } from '@aws-sdk/client-sesv2';
import type { EmailMessage, Mailer } from '../core/shared/mailer';
import { endpointClientConfig } from '../store/dynamo-settings';

type Env = Record<string, string | undefined>;

/** Where and as whom mail goes out. Imports no SDK: the SDK loads on the first send. */
interface SesSettings {
  /** EMAIL_FROM: the sender, `Name <address>` or a bare address. Unset: sending fails. */
  from?: string | undefined;
  /** SES_CONFIGURATION_SET: event publishing, suppression and sending limits of the stack. */
  configurationSet?: string | undefined;
  /** SES_ENDPOINT: set for the local emulator (aws-ses-v2-local); unset on AWS. */
  endpoint?: string | undefined;
  region?: string | undefined;
}

const sesSettingsFromEnv = (env: Env): SesSettings => ({
  from: env.EMAIL_FROM || undefined,
  configurationSet: env.SES_CONFIGURATION_SET || undefined,
  endpoint: env.SES_ENDPOINT || undefined,
  region: env.AWS_REGION || undefined,
});

/**
 * SES v2 `SendEmail` with simple content (subject, text and HTML, UTF-8). Building it never
 * fails, as most functions never send; a missing EMAIL_FROM fails the first send instead.
 * Nothing here logs a message: its body carries one-time tokens.
 */
export const mailerFromEnv = (env: Env): Mailer => {
  const settings = sesSettingsFromEnv(env);
  let connection:
    | Promise<{ client: SESv2Client; sdk: typeof import('@aws-sdk/client-sesv2') }>
    | undefined;
  const connect = async () => {
    const [sdk, budget] = await Promise.all([
      import('@aws-sdk/client-sesv2'),
      import('../store/aws-client-budget'),
    ]);
    const limits = budget.budgetFor(settings.endpoint);
    const client = new sdk.SESv2Client({
      ...endpointClientConfig(settings),
      ...budget.budgetedClientConfig(limits),
    });
    return { client: budget.withFaultBudget(client, 'The mail service', limits), sdk };
  };
  return {
    async send(message: EmailMessage) {
      const { from, configurationSet } = settings;
      if (!from) {
        throw new Error(
          'EMAIL_FROM is not set, so Gatehouse cannot send mail: give the stack emailFrom ' +
            '(docs/aws.md, "Email (SES)"), or set EMAIL_FROM.',
        );
      }
      connection ??= connect();
      const { client, sdk } = await connection;
      const utf8 = (data: string) => ({ Data: data, Charset: 'UTF-8' });
      await client.send(
        new sdk.SendEmailCommand({
          FromEmailAddress: from,
          Destination: { ToAddresses: [message.to] },
          Content: {
            Simple: {
              Subject: utf8(message.subject),
              Body: { Text: utf8(message.text), Html: utf8(message.html) },
            },
          },
          ...(configurationSet ? { ConfigurationSetName: configurationSet } : {}),
        }),
      );
    },
  };
};
