import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { arch, tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { architectureFromContext } from '../../../lib/architecture';
import { GatehouseStack } from '../../../lib/gatehouse-stack';

/** The default owner the synthesized stack names (its password is its generated secret). */
export const ownerEmail = 'owner@gatehouse.test';
export const emailFrom = 'Gatehouse <no-reply@gatehouse.test>';

export interface CfnResource {
  Type: string;
  Properties: Record<string, unknown>;
}

export interface BuiltFunction {
  logicalId: string;
  /** The bundle as the assembly holds it: what `cdk deploy` would zip and upload. */
  assetDir: string;
  handler: string;
  memoryMb: number;
  /** The template's Environment.Variables, intrinsics unresolved. */
  variables: Record<string, unknown>;
}

export interface BuiltRoute {
  routeKey: string;
  /** Logical id of the function behind the route's integration. */
  target: string;
  /** Logical id of the authorizer's function, on a CUSTOM route. */
  authorizer?: string;
}

export interface Assembly {
  directory: string;
  resources: Record<string, CfnResource>;
  functions: BuiltFunction[];
  routes: BuiltRoute[];
  ofType(type: string): [string, CfnResource][];
  cleanUp(): void;
}

/** The Lambda architecture of this machine, so the bundled native binary is one it can load. */
export const hostArchitecture = arch() === 'arm64' ? 'arm64' : 'x86_64';

/** The logical id `{"Fn::GetAtt": [id, "Arn"]}` names, wherever it sits inside a value. */
const getAttTarget = (value: unknown): string | undefined => {
  if (!value || typeof value !== 'object') return undefined;
  const getAtt = (value as { 'Fn::GetAtt'?: [string, string] })['Fn::GetAtt'];
  if (getAtt) return getAtt[0];
  for (const inner of Object.values(value)) {
    const found = getAttTarget(inner);
    if (found) return found;
  }
  return undefined;
};

/** The logical id of a `{"Ref": id}` anywhere inside a value. */
const refTarget = (value: unknown): string | undefined => {
  if (!value || typeof value !== 'object') return undefined;
  const ref = (value as { Ref?: string }).Ref;
  if (ref) return ref;
  for (const inner of Object.values(value)) {
    const found = refTarget(inner);
    if (found) return found;
  }
  return undefined;
};

/**
 * Synthesizes the Gatehouse stack once into a temporary cloud assembly, bundling every function
 * with the stack's own bundling, and reads back what a deploy would use: each function's asset
 * directory (by its S3 key in the asset manifest), handler and environment, and the HTTP API's
 * routes with their integration's and authorizer's functions.
 */
export const synthAssembly = (): Assembly => {
  // Outside the project: no node_modules above the assets but the one the runtime stand-in adds.
  const directory = mkdtempSync(join(tmpdir(), 'gatehouse-built-'));
  const app = new App({ outdir: directory, context: { architecture: hostArchitecture } });
  const stack = new GatehouseStack(app, 'Gatehouse', {
    architecture: architectureFromContext(hostArchitecture),
    defaultOwnerEmail: ownerEmail,
    emailFrom,
    identityProviders: true,
  });
  app.synth();
  const read = (file: string) => JSON.parse(readFileSync(join(directory, file), 'utf8'));
  const template = read(`${stack.artifactId}.template.json`);
  const assets = read(`${stack.artifactId}.assets.json`) as {
    files: Record<
      string,
      { source: { path: string }; destinations: Record<string, { objectKey: string }> }
    >;
  };
  const assetDirByKey = new Map<string, string>();
  for (const file of Object.values(assets.files)) {
    for (const destination of Object.values(file.destinations)) {
      assetDirByKey.set(destination.objectKey, join(directory, file.source.path));
    }
  }
  const resources = template.Resources as Record<string, CfnResource>;
  const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);

  const functions = ofType('AWS::Lambda::Function').map(([logicalId, { Properties }]) => {
    const key = (Properties.Code as { S3Key: string }).S3Key;
    const assetDir = assetDirByKey.get(key);
    if (!assetDir) throw new Error(`${logicalId}: no asset for ${key}`);
    return {
      logicalId,
      assetDir,
      handler: Properties.Handler as string,
      memoryMb: Properties.MemorySize as number,
      variables: (Properties.Environment as { Variables: Record<string, unknown> }).Variables,
    };
  });

  const functionOf = (logicalId: string | undefined, property: string): string => {
    const target = getAttTarget(logicalId ? resources[logicalId]?.Properties[property] : undefined);
    if (!target) throw new Error(`${logicalId}: no function in ${property}`);
    return target;
  };
  const routes = ofType('AWS::ApiGatewayV2::Route').map(([, { Properties }]) => ({
    routeKey: Properties.RouteKey as string,
    target: functionOf(refTarget(Properties.Target), 'IntegrationUri'),
    ...(Properties.AuthorizationType === 'CUSTOM'
      ? { authorizer: functionOf(refTarget(Properties.AuthorizerId), 'AuthorizerUri') }
      : {}),
  }));

  return {
    directory,
    resources,
    functions,
    routes,
    ofType,
    cleanUp: () => rmSync(directory, { recursive: true, force: true }),
  };
};
