import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { Architecture } from 'aws-cdk-lib/aws-lambda';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { CfnRotationSchedule, type Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { keyRotationSpec } from '../src/http/functions';
import { specFunction } from './functions';

export interface SigningKeyRotationProps {
  signingKeys: Secret;
  tokensTable: ITable;
  issuerUrl: string;
  /** The operator's settings: ACCESS_TOKEN_TTL_SECONDS decides how long retired keys stay. */
  settings: Record<string, string>;
  /** Days between scheduled rotations (1 to 365). */
  rotationDays: number;
  logRetention: RetentionDays;
  architecture: Architecture;
}

/** The Secrets Manager actions a rotation function needs on its secret, and no other. */
export const rotationSecretActions = [
  'secretsmanager:DescribeSecret',
  'secretsmanager:GetSecretValue',
  'secretsmanager:PutSecretValue',
  'secretsmanager:UpdateSecretVersionStage',
];

/**
 * Secrets Manager's rotation of the signing keys every `rotationDays`: our rotation function
 * stages the next keys, publishes them, checks the JWKS and makes them current; they sign an
 * hour later (docs/aws.md "Signing keys and their rotation"). The L1 schedule, not
 * `addRotationSchedule`, which would also grant `secretsmanager:GetRandomPassword` on `*`.
 */
export class SigningKeyRotation extends Construct {
  readonly function: NodejsFunction;

  constructor(scope: Construct, id: string, props: SigningKeyRotationProps) {
    super(scope, id);
    if (
      !Number.isInteger(props.rotationDays) ||
      props.rotationDays < 1 ||
      props.rotationDays > 365
    ) {
      throw new Error(
        `keyRotationDays must be an integer from 1 to 365, not ${props.rotationDays}.`,
      );
    }
    const secretArn = props.signingKeys.secretArn;
    this.function = specFunction(this, 'Function', keyRotationSpec, {
      tables: { tokens: props.tokensTable },
      logRetention: props.logRetention,
      architecture: props.architecture,
      environment: {
        ...props.settings,
        ISSUER_URL: props.issuerUrl,
        SIGNING_KEYS_SECRET_ARN: secretArn,
      },
    });
    // Invariant: this secret only, and only what the four rotation steps call.
    this.function.addToRolePolicy(
      new PolicyStatement({ actions: rotationSecretActions, resources: [secretArn] }),
    );
    // Secrets Manager may invoke it for this secret only (no confused deputy).
    this.function.addPermission('SecretsManagerInvoke', {
      principal: new ServicePrincipal('secretsmanager.amazonaws.com'),
      sourceArn: secretArn,
    });
    const schedule = new CfnRotationSchedule(this, 'Schedule', {
      secretId: secretArn,
      rotationLambdaArn: this.function.functionArn,
      rotationRules: { automaticallyAfterDays: props.rotationDays },
      // The first deploy rotates at once: the placeholder becomes the first key set.
      rotateImmediatelyOnUpdate: true,
    });
    schedule.node.addDependency(this.function.node.findChild('SecretsManagerInvoke'));
  }
}
