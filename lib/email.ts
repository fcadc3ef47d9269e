import { Stack } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Key } from 'aws-cdk-lib/aws-kms';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { ConfigurationSet, EmailSendingEvent, EventDestination } from 'aws-cdk-lib/aws-ses';
import type { Topic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { encryptedTopic } from './topics';

/** The stack props that say how mail leaves (docs/aws.md, "Email (SES)"). */
export interface EmailProps {
  /** The sender, EMAIL_FROM: `Gatehouse <no-reply@example.com>` or a bare address. */
  emailFrom?: string;
  /** The verified SES identity mail is sent as: a domain or an address. Default: emailFrom's domain. */
  sesIdentity?: string;
  /**
   * An SES configuration set every mail goes through (SES_CONFIGURATION_SET). Default: one the
   * stack makes, sending bounces, complaints and rejects to its mail-events topic.
   */
  sesConfigurationSet?: string;
}

/** Who mail is sent as, checked: what `sendsEmail` functions get. */
export interface SesSender {
  from: string;
  identity: string;
  configurationSet?: string;
}

const address = /^[^\s<>@"]+@([^\s<>@"]+\.[^\s<>@"]+)$/;
// SES's rule for configuration set names.
const configurationSetName = /^[A-Za-z0-9_-]{1,64}$/;

/** The address of `Name <address>` or of a bare address, or undefined. */
const senderAddress = (from: string): string | undefined => {
  const inBrackets = /^[^<>]*<([^<>]+)>$/.exec(from.trim())?.[1];
  const candidate = (inBrackets ?? from).trim();
  return address.test(candidate) ? candidate : undefined;
};

/**
 * The sender from the stack's props, or undefined when there is none (then no function may
 * send, and one that tries fails). Refuses at synth what SES would refuse at the first mail.
 */
export const sesSender = (props: EmailProps): SesSender | undefined => {
  if (!props.emailFrom) {
    if (props.sesIdentity || props.sesConfigurationSet) {
      throw new Error('sesIdentity and sesConfigurationSet need emailFrom, the sender address.');
    }
    return undefined;
  }
  const from = senderAddress(props.emailFrom);
  if (!from) {
    throw new Error(
      `emailFrom must be an address or "Name <address>", not ${JSON.stringify(props.emailFrom)}.`,
    );
  }
  const domain = from.slice(from.lastIndexOf('@') + 1).toLowerCase();
  // As given: the ARN names the identity exactly as it was verified.
  const identity = (props.sesIdentity ?? domain).trim();
  const lower = identity.toLowerCase();
  const covers = lower.includes('@')
    ? lower === from.toLowerCase()
    : domain === lower || domain.endsWith(`.${lower}`);
  if (!/^[^\s*?,/]+$/.test(identity) || !covers) {
    throw new Error(
      `sesIdentity must be the verified SES identity of ${from}: that address, or its domain ` +
        `(or a parent domain), not ${JSON.stringify(props.sesIdentity)}.`,
    );
  }
  const set = props.sesConfigurationSet;
  if (set !== undefined && !configurationSetName.test(set)) {
    throw new Error(
      `sesConfigurationSet must be 1 to 64 letters, digits, "_" or "-", not ${JSON.stringify(set)}.`,
    );
  }
  return { from: props.emailFrom.trim(), identity, ...(set ? { configurationSet: set } : {}) };
};

/**
 * Lets a function send mail as the sender and nothing else: `ses:SendEmail` on the sender's
 * identity (and configuration set, which SES also authorizes), in the stack's account and
 * region, from the sender's address only, plus the settings the mailer reads
 * (src/http/mailer.ts).
 */
export const grantSendEmail = (fn: LambdaFunction, sender: SesSender): void => {
  const stack = Stack.of(fn);
  const resources = [
    stack.formatArn({ service: 'ses', resource: 'identity', resourceName: sender.identity }),
  ];
  if (sender.configurationSet) {
    resources.push(
      stack.formatArn({
        service: 'ses',
        resource: 'configuration-set',
        resourceName: sender.configurationSet,
      }),
    );
  }
  // Invariant: even a domain identity sends as this one address, never as another of its domain.
  const from = senderAddress(sender.from);
  fn.addToRolePolicy(
    new PolicyStatement({
      actions: ['ses:SendEmail'],
      resources,
      conditions: { StringEquals: { 'ses:FromAddress': from } },
    }),
  );
  fn.addEnvironment('EMAIL_FROM', sender.from);
  if (sender.configurationSet) {
    fn.addEnvironment('SES_CONFIGURATION_SET', sender.configurationSet);
  }
};

/**
 * Lets a function queue mail and nothing else: `lambda:InvokeFunction` on the mailer function
 * alone (not its versions or aliases), which the function calls with InvocationType Event.
 */
export const grantQueueMail = (fn: LambdaFunction, mailer: LambdaFunction): void => {
  fn.addToRolePolicy(
    new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [mailer.functionArn] }),
  );
  fn.addEnvironment('MAILER_FUNCTION_NAME', mailer.functionName);
};

/**
 * The configuration set the stack makes when the operator names none: SES publishes every
 * bounce, complaint and reject to a KMS-encrypted topic, which the operator subscribes to.
 */
export class MailEvents extends Construct {
  readonly configurationSet: ConfigurationSet;
  readonly topic: Topic;

  constructor(scope: Construct, id: string, { key }: { key: Key }) {
    super(scope, id);
    this.topic = encryptedTopic(this, 'Topic', key, 'Gatehouse mail bounces and complaints');
    this.configurationSet = new ConfigurationSet(this, 'ConfigurationSet', {
      reputationMetrics: true,
    });
    // CDK's topic policy lets SES publish for this configuration set and account only.
    this.configurationSet.addEventDestination('BouncesAndComplaints', {
      destination: EventDestination.snsTopic(this.topic),
      events: [EmailSendingEvent.BOUNCE, EmailSendingEvent.COMPLAINT, EmailSendingEvent.REJECT],
    });
  }
}
