import { rmSync } from 'node:fs';
import { App, type CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import type { IConstruct } from 'constructs';
import { GatehouseStack, type GatehouseStackProps } from '../../lib/gatehouse-stack';

export const ownerEmail = 'owner@gatehouse.test';
export const ownerUsername = 'root-owner';

export interface Synthesized {
  app: App;
  stack: GatehouseStack;
  template: Template;
  /** What the one synthesis made: every stack's template and messages (cdk-nag's findings). */
  assembly: CloudAssembly;
  /** The cloud assembly directory: templates, asset manifests and bundled assets. */
  directory: string;
  /** The logical id CloudFormation will see for a construct (or its default child). */
  logicalId: (construct: IConstruct) => string;
  cleanUp: () => void;
}

/**
 * Context for a synth whose tests read the template only: no esbuild run, the biggest part of a
 * synth (bundles.test.ts and the integration test of the built bundles check the bundles).
 */
export const noBundling = { 'aws:cdk:bundling-stacks': [] };

/**
 * Synthesizes a fresh app (bundling every function with the local esbuild): once per file.
 * `prepare` may add stacks or aspects; `context` may limit bundling (`aws:cdk:bundling-stacks`).
 */
export const synthGatehouse = (
  props: GatehouseStackProps = {},
  prepare: (app: App, stack: GatehouseStack) => void = () => {},
  context: Record<string, unknown> = {},
): Synthesized => {
  const app = new App({ context });
  const stack = new GatehouseStack(app, 'Gatehouse', {
    defaultOwnerEmail: ownerEmail,
    defaultOwnerUsername: ownerUsername,
    ...props,
  });
  prepare(app, stack);
  const assembly = app.synth();
  const template = Template.fromJSON(assembly.getStackArtifact(stack.artifactId).template);
  return {
    app,
    stack,
    template,
    assembly,
    directory: assembly.directory,
    logicalId: (construct) =>
      stack.getLogicalId((construct.node.defaultChild ?? construct) as CfnElement),
    cleanUp: () => rmSync(assembly.directory, { recursive: true, force: true }),
  };
};

export interface Resource {
  Type: string;
  Properties?: Record<string, unknown>;
  DependsOn?: string | string[];
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
}

export const resources = (template: Template): Record<string, Resource> =>
  template.toJSON().Resources as Record<string, Resource>;

/** Logical ids a value refers to through Ref, Fn::GetAtt or Fn::Sub (pseudo parameters aside). */
export const referencedIds = (value: unknown, found = new Set<string>()): Set<string> => {
  if (Array.isArray(value)) {
    for (const item of value) referencedIds(item, found);
  } else if (value && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      if (key === 'Ref' && typeof inner === 'string' && !inner.startsWith('AWS::'))
        found.add(inner);
      else if (key === 'Fn::GetAtt')
        found.add(Array.isArray(inner) ? String(inner[0]) : (String(inner).split('.')[0] ?? ''));
      else if (key === 'Fn::Sub') {
        const text = Array.isArray(inner) ? String(inner[0]) : String(inner);
        for (const match of text.matchAll(/\$\{([^}.!]+)[^}]*\}/g)) {
          if (match[1] && !match[1].startsWith('AWS::')) found.add(match[1]);
        }
        if (Array.isArray(inner)) referencedIds(inner[1], found);
      } else referencedIds(inner, found);
    }
  }
  return found;
};

export interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: unknown;
}

/** Every statement of every inline policy attached to a role, with its actions as a list. */
export const roleStatements = (template: Template, roleId: string) =>
  Object.values(resources(template))
    .filter(
      (resource) =>
        resource.Type === 'AWS::IAM::Policy' &&
        referencedIds(resource.Properties?.Roles).has(roleId),
    )
    .flatMap(
      (policy) =>
        (policy.Properties?.PolicyDocument as { Statement: Statement[] } | undefined)?.Statement ??
        [],
    )
    .map((statement) => ({
      ...statement,
      actions: ([] as string[]).concat(statement.Action),
      resourceIds: referencedIds(statement.Resource),
    }));

export interface LambdaProperties {
  Role: { 'Fn::GetAtt': [string, string] };
  LoggingConfig: { LogGroup: { Ref: string } };
  Code: { S3Key: string };
  Environment: { Variables: Record<string, unknown> };
}

/** The properties of the function with this logical id. */
export const lambdaProperties = (template: Template, id: string): LambdaProperties => {
  const resource = resources(template)[id];
  if (resource?.Type !== 'AWS::Lambda::Function') throw new Error(`${id} is not a function`);
  return resource.Properties as unknown as LambdaProperties;
};

export interface Suppression {
  id: string;
  reason: string;
  applies_to?: unknown[];
}

/** Every cdk-nag suppression a template's resources carry in their metadata. */
export const nagSuppressions = (template: Template): Suppression[] =>
  Object.values(resources(template)).flatMap(
    (resource) =>
      (resource as { Metadata?: { cdk_nag?: { rules_to_suppress: Suppression[] } } }).Metadata
        ?.cdk_nag?.rules_to_suppress ?? [],
  );

/** The condition on the authorizer's GetItem of users: user items, these attributes, never a hash. */
export const usersAttributeCondition = {
  'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['USER#*'] },
  'ForAllValues:StringEquals': { 'dynamodb:Attributes': ['pk', 'sk', 'role', 'status', 'type'] },
  StringEqualsIfExists: { 'dynamodb:Select': 'SPECIFIC_ATTRIBUTES' },
  Null: { 'dynamodb:LeadingKeys': 'false', 'dynamodb:Attributes': 'false' },
};
