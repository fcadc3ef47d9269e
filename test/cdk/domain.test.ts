import { App, type CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExampleApiStack } from '../../lib/example-api-stack';
import { GatehouseStack, type GatehouseStackProps } from '../../lib/gatehouse-stack';
import { lambdaProperties, resources, type Synthesized, synthGatehouse } from './synth';

const env = { account: '123456789012', region: 'eu-west-1' };
const CERTIFICATE =
  'arn:aws:acm:eu-west-1:123456789012:certificate/0f1e2d3c-aaaa-bbbb-cccc-123456789abc';
const DOMAIN = 'auth.example.com';
const noBundling = { 'aws:cdk:bundling-stacks': [] };

let withDomain: Synthesized;
let example: ExampleApiStack;
let plain: Synthesized;

// Two shapes, the template alone read: no function is bundled.
beforeAll(() => {
  withDomain = synthGatehouse(
    {
      env,
      domainName: DOMAIN,
      certificateArn: CERTIFICATE,
      hostedZoneId: 'Z0123456789ABCDEFGHIJ',
      hostedZoneName: 'example.com',
    },
    (app, gatehouse) => {
      example = new ExampleApiStack(app, 'GatehouseExampleApi', { env, gatehouse });
    },
    noBundling,
  );
  plain = synthGatehouse({ env }, () => {}, noBundling);
});
afterAll(() => {
  withDomain.cleanUp();
  plain.cleanUp();
});

const ofType = (synth: Synthesized, type: string) =>
  Object.values(resources(synth.template)).filter((resource) => resource.Type === type);

const issuers = (synth: Synthesized) =>
  Object.values(synth.template.findResources('AWS::Lambda::Function')).map(
    (fn) => fn.Properties.Environment.Variables.ISSUER_URL,
  );

describe('with a custom domain', () => {
  it('makes the domain (TLS 1.2, the certificate) and maps it to the default stage', () => {
    const [domain] = ofType(withDomain, 'AWS::ApiGatewayV2::DomainName');
    expect(domain?.Properties).toMatchObject({
      DomainName: DOMAIN,
      DomainNameConfigurations: [
        { CertificateArn: CERTIFICATE, EndpointType: 'REGIONAL', SecurityPolicy: 'TLS_1_2' },
      ],
    });
    const [mapping] = ofType(withDomain, 'AWS::ApiGatewayV2::ApiMapping');
    expect(mapping?.Properties).toMatchObject({
      ApiId: { Ref: withDomain.logicalId(withDomain.stack.api.httpApi) },
      Stage: '$default',
    });
    // Named, not referenced: the mapping waits for the stage explicitly.
    expect(mapping?.DependsOn).toContain(withDomain.logicalId(withDomain.stack.api.stage));
    expect(mapping?.Properties).not.toHaveProperty('ApiMappingKey');
  });

  it('names it the issuer of every function, the ApiUrl output and the example API’s authorizer', () => {
    expect(new Set(issuers(withDomain))).toEqual(new Set([`https://${DOMAIN}`]));
    withDomain.template.hasOutput('ApiUrl', { Value: `https://${DOMAIN}` });
    const template = Template.fromJSON(
      withDomain.assembly.getStackArtifact(example.artifactId).template,
    );
    const id = example.getLogicalId(example.authorizer.function.node.defaultChild as CfnElement);
    expect(lambdaProperties(template, id).Environment.Variables.ISSUER_URL).toBe(
      `https://${DOMAIN}`,
    );
  });

  it('turns the execute-api endpoint off: one origin, the issuer’s', () => {
    const [api] = ofType(withDomain, 'AWS::ApiGatewayV2::Api');
    expect(api?.Properties?.DisableExecuteApiEndpoint).toBe(true);
  });

  it('outputs the regional target for DNS, and makes the alias in the given zone', () => {
    const domainId = withDomain.logicalId(withDomain.stack.domain?.domainName as never);
    withDomain.template.hasOutput('DomainTarget', {
      Value: { 'Fn::GetAtt': [domainId, 'RegionalDomainName'] },
    });
    withDomain.template.hasOutput('DomainTargetHostedZoneId', {
      Value: { 'Fn::GetAtt': [domainId, 'RegionalHostedZoneId'] },
    });
    const [record] = ofType(withDomain, 'AWS::Route53::RecordSet');
    expect(record?.Properties).toMatchObject({
      Name: `${DOMAIN}.`,
      Type: 'A',
      HostedZoneId: 'Z0123456789ABCDEFGHIJ',
      AliasTarget: {
        DNSName: { 'Fn::GetAtt': [domainId, 'RegionalDomainName'] },
        HostedZoneId: { 'Fn::GetAtt': [domainId, 'RegionalHostedZoneId'] },
      },
    });
  });
});

describe('without one', () => {
  it('keeps the API’s own URL as the issuer and output, its endpoint on, no domain', () => {
    const endpoint = { 'Fn::GetAtt': [plain.logicalId(plain.stack.api.httpApi), 'ApiEndpoint'] };
    for (const issuer of issuers(plain)) expect(issuer).toEqual(endpoint);
    plain.template.hasOutput('ApiUrl', { Value: endpoint });
    expect(ofType(plain, 'AWS::ApiGatewayV2::DomainName')).toEqual([]);
    expect(ofType(plain, 'AWS::ApiGatewayV2::Api')[0]?.Properties?.DisableExecuteApiEndpoint).toBe(
      false,
    );
    expect(Object.keys(plain.template.toJSON().Outputs)).not.toContain('DomainTarget');
  });
});

describe('refused at synth', () => {
  const build = (props: GatehouseStackProps) => () =>
    new GatehouseStack(new App(), 'Gatehouse', { env, ...props });

  it('a domain without a certificate, or a certificate without a domain', () => {
    expect(build({ domainName: DOMAIN })).toThrow(/domainName and certificateArn go together/);
    expect(build({ certificateArn: CERTIFICATE })).toThrow(/go together/);
  });

  it('a certificate of another region, or no ACM ARN', () => {
    const elsewhere = CERTIFICATE.replace('eu-west-1', 'us-east-1');
    expect(build({ domainName: DOMAIN, certificateArn: elsewhere })).toThrow(/us-east-1/);
    expect(build({ domainName: DOMAIN, certificateArn: 'arn:aws:iam::1:x' })).toThrow(/ACM/);
  });

  it('a name that is no host, or a zone that does not hold it, or half a zone', () => {
    const certificateArn = CERTIFICATE;
    expect(build({ domainName: 'https://auth.example.com', certificateArn })).toThrow(/host name/);
    expect(
      build({
        domainName: DOMAIN,
        certificateArn,
        hostedZoneId: 'Z1',
        hostedZoneName: 'other.org',
      }),
    ).toThrow(/not in the hosted zone/);
    expect(build({ domainName: DOMAIN, certificateArn, hostedZoneId: 'Z1' })).toThrow(/together/);
  });
});
