import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TableName, type TableSchema, tables } from '../../src/store/schema';
import { noBundling, resources, type Synthesized, synthGatehouse } from './synth';

let synth: Synthesized;
let keyId: string;

beforeAll(() => {
  synth = synthGatehouse({}, () => {}, noBundling);
  keyId = synth.logicalId(synth.stack.tables.key);
});
afterAll(() => synth.cleanUp());

const tableResource = (name: TableName) => {
  const resource = resources(synth.template)[synth.logicalId(synth.stack.tables.byName[name])];
  expect(resource?.Type).toBe('AWS::DynamoDB::Table');
  return resource as NonNullable<typeof resource> & { Properties: Record<string, unknown> };
};

const keySchema = (partitionKey: string, sortKey: string) => [
  { AttributeName: partitionKey, KeyType: 'HASH' },
  { AttributeName: sortKey, KeyType: 'RANGE' },
];

it('makes exactly the tables of the schema', () => {
  synth.template.resourceCountIs('AWS::DynamoDB::Table', Object.keys(tables).length);
});

describe.each(Object.keys(tables) as TableName[])('the %s table', (name) => {
  const schema: TableSchema = tables[name];

  it('has the key schema of src/store/schema.ts', () => {
    const { Properties } = tableResource(name);
    expect(Properties.KeySchema).toEqual(keySchema(schema.partitionKey, schema.sortKey));
    const attributes = [
      schema.partitionKey,
      schema.sortKey,
      ...schema.indexes.flatMap((index) => [index.partitionKey, index.sortKey]),
    ];
    expect(Properties.AttributeDefinitions).toEqual(
      expect.arrayContaining(
        attributes.map((AttributeName) => ({ AttributeName, AttributeType: 'S' })),
      ),
    );
  });

  it('has the global secondary indexes of the schema, projecting everything', () => {
    const indexes = (tableResource(name).Properties.GlobalSecondaryIndexes ?? []) as unknown[];
    expect(indexes).toHaveLength(schema.indexes.length);
    for (const index of schema.indexes) {
      expect(indexes).toContainEqual({
        IndexName: index.name,
        KeySchema: keySchema(index.partitionKey, index.sortKey),
        Projection: { ProjectionType: 'ALL' },
      });
    }
  });

  it(`expires items by ${schema.ttlAttribute ?? 'nothing'}`, () => {
    const ttl = tableResource(name).Properties.TimeToLiveSpecification;
    if (schema.ttlAttribute) {
      expect(ttl).toEqual({ AttributeName: schema.ttlAttribute, Enabled: true });
    } else {
      expect(ttl).toBeUndefined();
    }
  });

  it('is on demand, backed up, protected and encrypted with the stack key', () => {
    const table = tableResource(name);
    expect(table.Properties).toMatchObject({
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      DeletionProtectionEnabled: true,
      SSESpecification: {
        SSEEnabled: true,
        SSEType: 'KMS',
        KMSMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] },
      },
    });
    expect(table.Properties.TableName).toBeUndefined();
    expect(table.DeletionPolicy).toBe('Retain');
    expect(table.UpdateReplacePolicy).toBe('Retain');
  });
});

it('encrypts with one retained customer-managed key that rotates', () => {
  // Two keys in the stack: the tables' and the alarm and mail topics' (lib/topics.ts).
  synth.template.resourceCountIs('AWS::KMS::Key', 2);
  const tableKeys = new Set(
    Object.values(synth.template.findResources('AWS::DynamoDB::Table')).map(
      (table) => table.Properties.SSESpecification.KMSMasterKeyId['Fn::GetAtt'][0],
    ),
  );
  expect([...tableKeys]).toEqual([keyId]);
  const key = resources(synth.template)[keyId];
  expect(key?.Properties?.EnableKeyRotation).toBe(true);
  expect(key?.DeletionPolicy).toBe('Retain');
});
