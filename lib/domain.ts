import { Stack, Token } from 'aws-cdk-lib';
import {
  ApiMapping,
  DomainName,
  type HttpApi,
  type HttpStage,
  SecurityPolicy,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { Certificate } from 'aws-cdk-lib/aws-certificatemanager';
import { ARecord, HostedZone, RecordTarget } from 'aws-cdk-lib/aws-route53';
import { ApiGatewayv2DomainProperties } from 'aws-cdk-lib/aws-route53-targets';
import { Construct } from 'constructs';

/** The API on a name of the operator's: the issuer of every token, discovery and WebAuthn's rp id. */
export interface CustomDomainProps {
  /** e.g. auth.example.com: the issuer becomes https://auth.example.com. */
  domainName: string;
  /** An ACM certificate for that name, in the stack's region (a regional endpoint). */
  certificateArn: string;
  /** A Route 53 public hosted zone for the name: the stack makes the alias records in it. */
  hostedZone?: { id: string; name: string };
}

const HOST = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const ACM_ARN = /^arn:aws[a-z-]*:acm:([a-z0-9-]+):\d{12}:certificate\/[\w-]+$/;

/**
 * The custom domain from the stack's props (context `domainName`, `certificateArn`,
 * `hostedZoneId`, `hostedZoneName`), or none; a half-given or wrong one is refused at synth.
 */
export const customDomainOf = (
  scope: Construct,
  props: {
    domainName?: string | undefined;
    certificateArn?: string | undefined;
    hostedZoneId?: string | undefined;
    hostedZoneName?: string | undefined;
  },
): CustomDomainProps | undefined => {
  const { domainName, certificateArn, hostedZoneId, hostedZoneName } = props;
  if (!domainName && !certificateArn) {
    if (hostedZoneId || hostedZoneName) throw new Error('hostedZoneId needs domainName.');
    return undefined;
  }
  if (!domainName || !certificateArn) {
    throw new Error('domainName and certificateArn go together: give both, or neither.');
  }
  if (!HOST.test(domainName)) {
    throw new Error(`domainName "${domainName}" is not a lowercase host name (auth.example.com).`);
  }
  const region = ACM_ARN.exec(certificateArn)?.[1];
  if (!region) throw new Error(`certificateArn "${certificateArn}" is not an ACM certificate ARN.`);
  // A regional API endpoint takes a certificate of its own region only.
  const stackRegion = Stack.of(scope).region;
  if (!Token.isUnresolved(stackRegion) && region !== stackRegion) {
    throw new Error(`certificateArn is in ${region}: the stack deploys to ${stackRegion}.`);
  }
  if (Boolean(hostedZoneId) !== Boolean(hostedZoneName)) {
    throw new Error('hostedZoneId and hostedZoneName go together: give both, or neither.');
  }
  const zone = hostedZoneName?.replace(/\.$/, '');
  if (zone && domainName !== zone && !domainName.endsWith(`.${zone}`)) {
    throw new Error(`domainName "${domainName}" is not in the hosted zone "${zone}".`);
  }
  return {
    domainName,
    certificateArn,
    ...(hostedZoneId && zone ? { hostedZone: { id: hostedZoneId, name: zone } } : {}),
  };
};

export interface GatehouseDomainProps extends CustomDomainProps {
  httpApi: HttpApi;
  stage: HttpStage;
}

/**
 * The API Gateway custom domain (TLS 1.2), mapped to the API's default stage, and optionally
 * its Route 53 alias records. The API's execute-api endpoint is disabled beside it
 * (lib/api.ts): one origin only, the issuer's.
 */
export class GatehouseDomain extends Construct {
  /** https://<domainName>: the issuer. */
  readonly url: string;
  readonly domainName: DomainName;

  constructor(scope: Construct, id: string, props: GatehouseDomainProps) {
    super(scope, id);
    this.url = `https://${props.domainName}`;
    this.domainName = new DomainName(this, 'DomainName', {
      domainName: props.domainName,
      certificate: Certificate.fromCertificateArn(this, 'Certificate', props.certificateArn),
      securityPolicy: SecurityPolicy.TLS_1_2,
    });
    new ApiMapping(this, 'Mapping', {
      api: props.httpApi,
      domainName: this.domainName,
      stage: props.stage,
    });
    if (props.hostedZone) {
      const zone = HostedZone.fromHostedZoneAttributes(this, 'Zone', {
        hostedZoneId: props.hostedZone.id,
        zoneName: props.hostedZone.name,
      });
      const target = RecordTarget.fromAlias(
        new ApiGatewayv2DomainProperties(
          this.domainName.regionalDomainName,
          this.domainName.regionalHostedZoneId,
        ),
      );
      // IPv4 only, as the domain's endpoint is (no AAAA record for it to answer).
      new ARecord(this, 'Alias', { zone, recordName: props.domainName, target });
    }
  }
}
