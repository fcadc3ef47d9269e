import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Aspects } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { resources, type Synthesized, synthGatehouse } from './synth';

interface Suppression {
  id: string;
  reason: string;
  applies_to?: unknown[];
}

let synth: Synthesized;

beforeAll(() => {
  // A fresh app: the checks run as an aspect during synthesis, as in bin/app.ts.
  synth = synthGatehouse({}, (app) =>
    Aspects.of(app).add(new AwsSolutionsChecks({ verbose: true })),
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
  const suppressions = Object.values(resources(synth.template)).flatMap(
    (resource) =>
      ((resource as { Metadata?: { cdk_nag?: { rules_to_suppress: Suppression[] } } }).Metadata
        ?.cdk_nag?.rules_to_suppress ?? []) as Suppression[],
  );
  expect(suppressions.length).toBeGreaterThan(0);
  const allowed = new Set([
    'AwsSolutions-IAM5',
    'AwsSolutions-L1',
    'AwsSolutions-SMG4',
    'AwsSolutions-APIG4',
  ]);
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
