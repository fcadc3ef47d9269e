import { RemovalPolicy, SecretValue } from 'aws-cdk-lib';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';

export interface GatehouseSecretsProps {
  /** JWT SSO is set up (SSO_IDP_URL): make its shared key. */
  sso?: boolean;
  /** OIDC federation is set up: make the IDENTITY_PROVIDERS secret. */
  identityProviders?: boolean;
}

/**
 * The secrets Gatehouse keeps in Secrets Manager. No secret value is ever in the template:
 * CloudFormation generates each, and the providers' list starts as an empty `[]`.
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
  /**
   * JWT SSO's shared key (SSO_JWT_SECRET), made only when SSO is set up (SSO_IDP_URL): give it
   * to the identity provider, or put the provider's key in it.
   */
  readonly ssoJwtSecret: Secret | undefined;
  /**
   * The key of the listing cursors' HMAC (CURSOR_KEY): a secret of its own, so the listing
   * functions need not read the private signing keys.
   */
  readonly cursorKey: Secret;
  /**
   * IDENTITY_PROVIDERS, the OIDC providers as one JSON array (client secrets included), made
   * only when federation is set up (the `identityProviders` prop): created as `[]`, the operator
   * puts the list in it.
   */
  readonly identityProviders: Secret | undefined;

  constructor(scope: Construct, id: string, props: GatehouseSecretsProps = {}) {
    super(scope, id);
    this.identityProviders = props.identityProviders
      ? new Secret(this, 'IdentityProviders', {
          description:
            'Gatehouse IDENTITY_PROVIDERS: the OIDC providers as a JSON array, client secrets included',
          // `[]` (no provider) is no secret; the operator's put-secret-value replaces it, and
          // CloudFormation leaves it be while this template value stays unchanged.
          secretStringValue: SecretValue.unsafePlainText('[]'),
          removalPolicy: RemovalPolicy.RETAIN,
        })
      : undefined;
    this.ssoJwtSecret = props.sso
      ? new Secret(this, 'SsoJwtSecret', {
          description: 'Gatehouse JWT SSO shared key (HS256), shared with the identity provider',
          generateSecretString: { passwordLength: 48, excludePunctuation: true },
          removalPolicy: RemovalPolicy.RETAIN,
        })
      : undefined;

    this.signingKeys = new Secret(this, 'SigningKeys', {
      description: 'Gatehouse private signing keys (JSON key set, written by the functions)',
      generateSecretString: {
        secretStringTemplate: '{}',
        generateStringKey: 'placeholder',
        excludePunctuation: true,
      },
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.cursorKey = new Secret(this, 'CursorKey', {
      description: 'Gatehouse cursor key: authenticates the cursors of every listing',
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
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
