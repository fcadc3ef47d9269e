import type { EmailMessage, Mailer, MailQueue } from '../core/mailer';
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
    enqueue: async (message) => {
      void deliver(message);
    },
  };
};

/** What the mailer function receives: one mail (functions/mailer.ts). */
export interface MailerEvent {
  message: EmailMessage;
}

/** Of @aws-sdk/client-lambda, what the queue uses. */
interface LambdaSdk {
  LambdaClient: new (config: object) => { send(command: unknown): Promise<unknown> };
  InvokeCommand: new (input: {
    FunctionName: string;
    InvocationType: 'Event';
    Payload: Uint8Array;
  }) => unknown;
}

/**
 * On AWS: an asynchronous invocation (`InvocationType: Event`) of the mailer function, which
 * Lambda queues, retries twice and which alone may send through SES. The request waits only for
 * Lambda to accept the event, tens of milliseconds, bounded here; a refusal is logged, never
 * answered.
 */
export const lambdaMailQueue = (functionName: string): MailQueue => {
  let client: Promise<{ send: (message: EmailMessage) => Promise<unknown> }> | undefined;
  const connect = async () => {
    // The Lambda runtime provides the SDK (bundles leave @aws-sdk/* out); a variable keeps the
    // typecheck from requiring the package locally, where this queue never runs.
    const name = '@aws-sdk/client-lambda';
    const sdk = (await import(name)) as LambdaSdk;
    const lambda = new sdk.LambdaClient({
      maxAttempts: 2,
      requestHandler: { connectionTimeout: 300, requestTimeout: 1000 },
    });
    return {
      send: (message: EmailMessage) =>
        lambda.send(
          new sdk.InvokeCommand({
            FunctionName: functionName,
            InvocationType: 'Event',
            Payload: new TextEncoder().encode(JSON.stringify({ message } satisfies MailerEvent)),
          }),
        ),
    };
  };
  return {
    enqueue: async (message) => {
      try {
        client ??= connect().catch((error: unknown) => {
          client = undefined;
          throw error;
        });
        await (await client).send(message);
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
