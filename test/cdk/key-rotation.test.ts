import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Aspects } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { rotationSecretActions } from '../../lib/key-rotation';
import { keys } from '../../src/store/schema';
import { resources, type Synthesized, synthGatehouse } from './synth';

let synth: Synthesized;
let secretId: string;
let functionId: string;
let roleId: string;

beforeAll(() => {
  // Bundling is not under test here: no stack is bundled (the assertions read the template).
  synth = synthGatehouse(
    { keyRotationDays: 14 },
    (app) => Aspects.of(app).add(new AwsSolutionsChecks({ reports: true })),
    { 'aws:cdk:bundling-stacks': [] },
  );
  secretId = synth.logicalId(synth.stack.secrets.signingKeys);
  functionId = synth.logicalId(synth.stack.keyRotation.function);
  roleId = synth.logicalId(synth.stack.keyRotation.function.role ?? synth.stack);
});
afterAll(() => synth.cleanUp());

it('rotates the signing-keys secret on a schedule with our function, at once on deploy', () => {
  synth.template.resourceCountIs('AWS::SecretsManager::RotationSchedule', 1);
  synth.template.hasResourceProperties('AWS::SecretsManager::RotationSchedule', {
    SecretId: { Ref: secretId },
    RotationLambdaARN: { 'Fn::GetAtt': [functionId, 'Arn'] },
    RotationRules: { AutomaticallyAfterDays: 14 },
    RotateImmediatelyOnUpdate: true,
  });
  synth.template.hasOutput('SigningKeysSecretArn', { Value: { Ref: secretId } });
});

it('lets Secrets Manager invoke it for this secret only', () => {
  const permissions = Object.values(resources(synth.template)).filter(
    (r) =>
      r.Type === 'AWS::Lambda::Permission' &&
      JSON.stringify(r.Properties?.FunctionName).includes(functionId),
  );
  expect(permissions.map((p) => p.Properties)).toEqual([
    {
      Action: 'lambda:InvokeFunction',
      FunctionName: { 'Fn::GetAtt': [functionId, 'Arn'] },
      Principal: 'secretsmanager.amazonaws.com',
      SourceArn: { Ref: secretId },
    },
  ]);
});

it('grants the function exactly the four rotation actions on the secret and the JWKS item', () => {
  const policies = Object.values(resources(synth.template)).filter(
    (r) =>
      r.Type === 'AWS::IAM::Policy' &&
      JSON.stringify(r.Properties?.Roles) === JSON.stringify([{ Ref: roleId }]),
  );
  const statements = policies.flatMap(
    (p) =>
      (p.Properties?.PolicyDocument as { Statement?: Record<string, unknown>[] } | undefined)
        ?.Statement ?? [],
  );
  const secretStatements = statements.filter((s) => JSON.stringify(s).includes('secretsmanager'));
  expect(secretStatements).toEqual([
    { Action: rotationSecretActions, Effect: 'Allow', Resource: { Ref: secretId } },
  ]);
  const dynamo = statements.filter((s) => JSON.stringify(s.Action).includes('dynamodb'));
  expect(dynamo.map((s) => s.Action).sort()).toEqual(['dynamodb:GetItem', 'dynamodb:UpdateItem']);
  for (const statement of dynamo) {
    expect(statement.Condition).toMatchObject({
      'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [keys.publishedKeys().pk] },
      'ForAllValues:StringEquals': { 'dynamodb:Attributes': ['pk', 'sk', 'generation', 'jwks'] },
    });
  }
  const actions = statements.flatMap((s) => [s.Action].flat() as string[]);
  // Nothing else: its logs, the table key for the one item, and no wildcard beyond KMS's.
  for (const action of actions) {
    expect(action).toMatch(/^(secretsmanager|dynamodb|logs|kms):/);
  }
  expect(actions).not.toContain('secretsmanager:GetRandomPassword');
  expect(actions).not.toContain('dynamodb:PutItem');
});

it('has no SMG4 suppression on the signing keys: cdk-nag finds the rotation compliant', () => {
  const metadata = JSON.stringify(resources(synth.template)[secretId]);
  expect(metadata).not.toContain('AwsSolutions-SMG4');
  const [report] = readdirSync(synth.directory).filter((f) => /^AwsSolutions-.*\.csv$/.test(f));
  const rows = readFileSync(join(synth.directory, report ?? ''), 'utf8').split('\n');
  const smg4 = rows.filter(
    (row) => row.includes('AwsSolutions-SMG4') && row.includes('SigningKeys'),
  );
  expect(smg4).toHaveLength(1);
  expect(smg4[0]).toMatch(/"Compliant"/);
});
