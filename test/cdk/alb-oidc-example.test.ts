import {
  App,
  aws_ec2 as ec2,
  aws_elasticloadbalancingv2 as elbv2,
  SecretValue,
  Stack,
} from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { expect, it } from 'vitest';
import { gatehouseOidcAction } from '../../examples/alb/gatehouse-oidc-action';
import { openIdConfiguration } from '../../src/http/actions/discovery';
import type { ActionRequest } from '../../src/http/handler';
import { testDeps } from '../support/core-deps';

it("examples/alb: the ALB's authenticate-oidc action uses the endpoints discovery lists", async () => {
  const issuer = 'https://auth.example.com';
  const stack = new Stack(new App(), 'Alb');
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0 });
  const alb = new elbv2.ApplicationLoadBalancer(stack, 'Alb', { vpc, internetFacing: true });
  const listener = alb.addListener('Https', {
    port: 443,
    certificates: [{ certificateArn: 'arn:aws:acm:us-east-1:111111111111:certificate/x' }],
    defaultAction: gatehouseOidcAction({
      issuer,
      clientId: 'gh_alb',
      clientSecret: SecretValue.unsafePlainText('not-a-real-secret'),
      next: elbv2.ListenerAction.fixedResponse(200, { messageBody: 'signed in' }),
    }),
  });
  expect(listener).toBeDefined();
  const answer = await openIdConfiguration({
    deps: testDeps({ ISSUER_URL: issuer }),
  } as unknown as ActionRequest);
  const discovery = JSON.parse(answer.body as string);
  const [config] = Object.values(
    Template.fromStack(stack).findResources('AWS::ElasticLoadBalancingV2::Listener'),
  ).map((l) => l.Properties.DefaultActions[0].AuthenticateOidcConfig);
  expect(config).toMatchObject({
    Issuer: discovery.issuer,
    AuthorizationEndpoint: discovery.authorization_endpoint,
    TokenEndpoint: discovery.token_endpoint,
    UserInfoEndpoint: discovery.userinfo_endpoint,
    ClientId: 'gh_alb',
    Scope: 'openid email profile',
  });
  for (const scope of config.Scope.split(' ')) expect(discovery.scopes_supported).toContain(scope);
});
