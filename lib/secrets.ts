import { RemovalPolicy } from 'aws-cdk-lib';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';

/**
 * The two secrets Gatehouse keeps in Secrets Manager. Neither value is ever in the template:
 * CloudFormation generates both.
 */
export class GatehouseSecrets extends Construct {
  /**
   * The private signing key set. Starts as `{"placeholder":"<random>"}` (no `generation`, no
   * `keys`): the first cold start of a token-signing function treats that as "no key set",
   * generates one and stores it with PutSecretValue.
   */
  readonly signingKeys: Secret;
  /** The default owner's generated password, a plain string; read it once after deploy. */
  readonly defaultOwnerPassword: Secret;

  constructor(scope: Construct, id: string) {
    super(scope, id);

    this.signingKeys = new Secret(this, 'SigningKeys', {
      description: 'Gatehouse private signing keys (JSON key set, written by the functions)',
      generateSecretString: {
        secretStringTemplate: '{}',
        generateStringKey: 'placeholder',
        excludePunctuation: true,
      },
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.defaultOwnerPassword = new Secret(this, 'DefaultOwnerPassword', {
      description: 'Password of the Gatehouse default owner, made at deploy; change it after use',
      generateSecretString: {
        passwordLength: 32,
        // Letters and digits only: about 190 bits, and safe to paste into any shell or form.
        excludePunctuation: true,
        requireEachIncludedType: true,
      },
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }
}
