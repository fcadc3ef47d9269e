import type { EmailMessage, Mailer, MailQueue } from '../core/shared/mailer';
import { logger } from './logger';
import { mailerFromEnv } from './mailer';

type Env = Record<string, string | undefined>;

/** Waits between attempts of the background queue: about a minute in all, then the mail is lost. */
const RETRY_DELAYS_MS = [500, 2000, 5000, 15_000, 40_000];

/**
 * The local server's queue: each mail is sent by a task of its own in this process, retried
 * when SES fails, never awaited by the request. Logs name the recipient's domain only, as the
 * message carries one-time tokens and the address is personal data.
 */
export const backgroundMailQueue = (
  mailer: Mailer,
  retryDelaysMs: readonly number[] = RETRY_DELAYS_MS,
): MailQueue => {
  const domain = (to: string) => to.slice(to.lastIndexOf('@') + 1);
  const deliver = async (message: EmailMessage) => {
    for (let attempt = 0; ; attempt++) {
      try {
        await mailer.send(message);
        return;
      } catch (error) {
        const wait = retryDelaysMs[attempt];
        if (wait === undefined) {
          logger.error({ err: error, to_domain: domain(message.to) }, 'mail lost');
          return;
        }
        logger.warn({ err: error, to_domain: domain(message.to), attempt }, 'mail retried');
        // unref: a queued mail never keeps a stopping process alive.
        await new Promise((done) => setTimeout(done, wait).unref());
      }
    }
  };
  return {
    enqueue: async (messages) => {
      for (const message of messages) void deliver(message);
    },
  };
};

/** What the mailer function receives: one batch of mails, maybe empty (functions/mailer.ts). */
export interface MailerEvent {
  messages: EmailMessage[];
}

/**
 * On AWS: one asynchronous invocation (`InvocationType: Event`) of the mailer function per batch,
 * which
 * Lambda queues, retries twice and which alone may send through SES. The request waits only for
 * Lambda to accept the event, tens of milliseconds, bounded here; a refusal is logged, never
 * answered.
 */
export const lambdaMailQueue = (functionName: string): MailQueue => {
  let client:
    | Promise<{ send: (messages: readonly EmailMessage[]) => Promise<unknown> }>
    | undefined;
  const connect = async () => {
    // Loaded on first use: only the functions that mail on AWS ever need it.
    const [sdk, budget] = await Promise.all([
      import('@aws-sdk/client-lambda'),
      import('../store/aws-client-budget'),
    ]);
    // Tight bounds: every forgot-password and resend invokes once (an empty batch for an unknown
    // address), inside the 400 ms even answer, so a slow Lambda API must not stretch it far.
    const tight = {
      connectTimeoutMs: 200,
      attemptTimeoutMs: 300,
      callDeadlineMs: 1000,
      maxAttempts: 2,
    };
    const lambda = budget.withFaultBudget(
      new sdk.LambdaClient(budget.budgetedClientConfig(tight)),
      'The mail queue',
      tight,
    );
    return {
      send: (messages: readonly EmailMessage[]) =>
        lambda.send(
          new sdk.InvokeCommand({
            FunctionName: functionName,
            InvocationType: 'Event',
            Payload: new TextEncoder().encode(
              JSON.stringify({ messages: [...messages] } satisfies MailerEvent),
            ),
          }),
        ),
    };
  };
  return {
    // An empty batch is invoked too (the mailer drops it): the same work either way.
    enqueue: async (messages) => {
      try {
        client ??= connect().catch((error: unknown) => {
          client = undefined;
          throw error;
        });
        await (await client).send(messages);
      } catch (error) {
        logger.error({ err: error }, 'mail not queued');
      }
    },
  };
};

/** MAILER_FUNCTION_NAME (set by the stack): the mailer function; unset: a background task. */
export const mailQueueFromEnv = (env: Env): MailQueue =>
  env.MAILER_FUNCTION_NAME
    ? lambdaMailQueue(env.MAILER_FUNCTION_NAME)
    : backgroundMailQueue(mailerFromEnv(env));
