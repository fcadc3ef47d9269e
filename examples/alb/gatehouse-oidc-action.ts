import { aws_elasticloadbalancingv2 as elbv2, type SecretValue } from 'aws-cdk-lib';

/** What an ALB needs to sign people in through Gatehouse: its issuer and a confidential client. */
export interface GatehouseOidcOptions {
  /** Gatehouse's ISSUER_URL, e.g. https://auth.example.com (no trailing slash). */
  issuer: string;
  clientId: string;
  /** The client's secret (ALB sends it in the token request's form body: client_secret_post). */
  clientSecret: SecretValue;
  /** Where signed-in requests go. */
  next: elbv2.ListenerAction;
}

/**
 * An Application Load Balancer's `authenticate-oidc` action against Gatehouse: the endpoints
 * are the ones Gatehouse's discovery document lists, and the client must be registered with
 * the redirect URI `https://<the ALB's domain>/oauth2/idpresponse`.
 */
export const gatehouseOidcAction = (options: GatehouseOidcOptions): elbv2.ListenerAction =>
  elbv2.ListenerAction.authenticateOidc({
    issuer: options.issuer,
    authorizationEndpoint: `${options.issuer}/oauth/authorize`,
    tokenEndpoint: `${options.issuer}/oauth/token`,
    userInfoEndpoint: `${options.issuer}/oauth/userinfo`,
    clientId: options.clientId,
    clientSecret: options.clientSecret,
    scope: 'openid email profile',
    next: options.next,
  });
