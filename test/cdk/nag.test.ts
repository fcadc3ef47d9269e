import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Aspects, CfnResource } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type FunctionName, type FunctionSpec, functionSpecs } from '../../src/http/functions';
import { type TableName, tables } from '../../src/store/schema';
import { pageRouteKey, pageRoutes } from '../../src/web/routes';
import {
  nagSuppressions,
  noBundling,
  resources,
  type Suppression,
  type Synthesized,
  synthGatehouse,
} from './synth';

let synth: Synthesized;

beforeAll(() => {
  // A fresh app: the checks run as an aspect during synthesis, as in bin/app.ts.
  // SSO, federation and mail on, so the SSO and providers secrets, their grants and SendEmail
  // are checked too; an authorizer account, so the AuthorizerReader role is checked too.
  synth = synthGatehouse(
    {
      authorizerAccounts: ['222222222222'],
      authorizerPrincipalArns: ['arn:aws:iam::222222222222:role/TeamApi-*'],
      settings: { SSO_IDP_URL: 'https://idp.example.com/sso' },
      identityProviders: true,
      emailFrom: 'Gatehouse <no-reply@example.com>',
      sesConfigurationSet: 'gatehouse',
    },
    (app) => Aspects.of(app).add(new AwsSolutionsChecks({ verbose: true })),
    noBundling,
  );
});
afterAll(() => synth.cleanUp());

it('passes AwsSolutions with no error', () => {
  const errors = Annotations.fromStack(synth.stack).findError(
    '*',
    Match.stringLikeRegexp('AwsSolutions-.*'),
  );
  expect(errors.map((error) => `${error.id}: ${String(error.entry.data)}`)).toEqual([]);
});

it('passes AwsSolutions with no warning', () => {
  const warnings = Annotations.fromStack(synth.stack).findWarning(
    '*',
    Match.stringLikeRegexp('AwsSolutions-.*'),
  );
  expect(warnings.map((warning) => `${warning.id}: ${String(warning.entry.data)}`)).toEqual([]);
});

it('really ran: its report has only compliant or suppressed findings, IAM4 compliant', () => {
  const [report] = readdirSync(synth.directory).filter((file) =>
    /^AwsSolutions-.*\.csv$/.test(file),
  );
  expect(report).toBeDefined();
  const rows = readFileSync(join(synth.directory, report ?? ''), 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((row) => row.split(',').map((cell) => cell.replaceAll('"', '')));
  expect(rows.length).toBeGreaterThan(10);
  expect(new Set(rows.map(([, , status]) => status))).toEqual(new Set(['Compliant', 'Suppressed']));
  const iam4 = rows.filter(([rule]) => rule === 'AwsSolutions-IAM4');
  expect(iam4.length).toBeGreaterThan(0);
  for (const [, , status] of iam4) expect(status).toBe('Compliant');
});

it('explains every suppression, and scopes every IAM5 one to named wildcards', () => {
  const suppressions = nagSuppressions(synth.template);
  expect(suppressions.length).toBeGreaterThan(0);
  const allowed = new Set(['AwsSolutions-IAM5', 'AwsSolutions-SMG4', 'AwsSolutions-APIG4']);
  for (const suppression of suppressions) {
    expect(allowed).toContain(suppression.id);
    expect(suppression.reason.length).toBeGreaterThan(60);
    if (suppression.id === 'AwsSolutions-IAM5') {
      expect(suppression.applies_to?.length).toBeGreaterThan(0);
      for (const finding of suppression.applies_to ?? []) {
        expect(finding).toMatch(
          /^(Action::kms:(ReEncrypt|GenerateDataKey)\*|Resource::<\w+\.Arn>\/index\/\*)$/,
        );
      }
    }
  }
});

it.each(pageRoutes.map(pageRouteKey))(
  'waives APIG4 on %s as a cookie-authenticated page',
  (key) => {
    const route = synth.stack.api.publicRoutes.get(key);
    expect(route).toBeDefined();
    const resource = resources(synth.template)[route ? synth.logicalId(route) : ''] as {
      Metadata?: { cdk_nag?: { rules_to_suppress: Suppression[] } };
    };
    const waivers = resource.Metadata?.cdk_nag?.rules_to_suppress ?? [];
    expect(waivers.map((waiver) => waiver.id)).toEqual(['AwsSolutions-APIG4']);
    expect(waivers[0]?.reason).toMatch(/hosted page.*HttpOnly session cookie/);
  },
);

it.each(Object.keys(functionSpecs) as FunctionName[])(
  'the %s role waives the index wildcard of exactly the indexed tables it uses',
  (name) => {
    const spec: FunctionSpec = functionSpecs[name];
    const role = synth.stack.functions.byName[name].role;
    expect(role).toBeDefined();
    const ids = (role?.node.findAll() ?? [])
      .filter((construct) => construct instanceof CfnResource)
      .map((construct) => synth.stack.getLogicalId(construct as CfnResource));
    const iam5 = ids.flatMap((id) =>
      (
        ((
          resources(synth.template)[id] as {
            Metadata?: { cdk_nag?: { rules_to_suppress: Suppression[] } };
          }
        ).Metadata?.cdk_nag?.rules_to_suppress ?? []) as Suppression[]
      ).filter((suppression) => suppression.id === 'AwsSolutions-IAM5'),
    );
    const indexWaivers = iam5.flatMap((suppression) =>
      (suppression.applies_to ?? []).filter((finding) => String(finding).includes('/index/')),
    );
    const indexed = (Object.keys(spec.tables) as TableName[]).filter(
      (table) => tables[table].indexes.length > 0,
    );
    const expected = indexed.map(
      (table) => `Resource::<${synth.logicalId(synth.stack.tables.byName[table])}.Arn>/index/*`,
    );
    expect([...new Set(indexWaivers)].sort()).toEqual(expected.sort());
    // Its reason names each of those tables' indexes.
    const reasons = iam5
      .filter((suppression) => suppression.applies_to?.some((f) => String(f).includes('/index/')))
      .map((suppression) => suppression.reason)
      .join(' ');
    for (const table of indexed) {
      for (const index of tables[table].indexes) expect(reasons).toContain(index.name);
    }
  },
);
