import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { type TableName, type TableSchema, tables } from '../src/store/schema';

/** The DynamoDB tables of src/store/schema.ts, encrypted with one customer-managed key. */
export class GatehouseTables extends Construct {
  readonly key: Key;
  readonly byName: Record<TableName, Table>;

  constructor(scope: Construct, id: string) {
    super(scope, id);

    this.key = new Key(this, 'Key', {
      description: 'Encrypts the Gatehouse tables (users, sessions, token hashes)',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const build = (name: TableName): Table => {
      const schema: TableSchema = tables[name];
      const table = new Table(this, schema.id, {
        partitionKey: { name: schema.partitionKey, type: AttributeType.STRING },
        sortKey: { name: schema.sortKey, type: AttributeType.STRING },
        billingMode: BillingMode.PAY_PER_REQUEST,
        encryption: TableEncryption.CUSTOMER_MANAGED,
        encryptionKey: this.key,
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
        deletionProtection: true,
        removalPolicy: RemovalPolicy.RETAIN,
        timeToLiveAttribute: schema.ttlAttribute,
      });
      for (const index of schema.indexes) {
        table.addGlobalSecondaryIndex({
          indexName: index.name,
          partitionKey: { name: index.partitionKey, type: AttributeType.STRING },
          sortKey: { name: index.sortKey, type: AttributeType.STRING },
        });
      }
      return table;
    };

    this.byName = Object.fromEntries(
      (Object.keys(tables) as TableName[]).map((name) => [name, build(name)]),
    ) as Record<TableName, Table>;
  }
}
