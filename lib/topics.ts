import { Stack } from 'aws-cdk-lib';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';

/** The services that publish to the stack's topics: CloudWatch (alarms) and SES (mail events). */
const publishers = ['cloudwatch.amazonaws.com', 'ses.amazonaws.com'];

/**
 * The key of the stack's SNS topics, rotated yearly. The publishing services may use it to
 * encrypt what they publish; who may publish is the topics' own policies' decision.
 */
export const topicKey = (scope: Construct, id: string): Key => {
  const key = new Key(scope, id, {
    enableKeyRotation: true,
    description: 'Gatehouse: encrypts the alarm and mail-event topics',
  });
  key.addToResourcePolicy(
    new PolicyStatement({
      principals: publishers.map((service) => new ServicePrincipal(service)),
      actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      // In a key policy, "*" is this key.
      resources: ['*'],
      // Confused deputy: only on behalf of this account's alarms and configuration sets.
      conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(scope).account } },
    }),
  );
  return key;
};

/** An SNS topic encrypted with `key` that refuses any request not over TLS (cdk-nag SNS2, SNS3). */
export const encryptedTopic = (scope: Construct, id: string, key: Key, displayName: string) =>
  new Topic(scope, id, { masterKey: key, displayName, enforceSSL: true });
