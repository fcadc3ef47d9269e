import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { WithdrawTarget } from '../src/core/tokens/signing-keys';
import { createDocumentClient, createDynamoClient } from '../src/store/dynamo-client';
import { readPublishedKeys } from '../src/store/dynamo-published-keys';
import { publishKeys } from '../src/store/publish-keys';
import { createSecretsKeySource } from '../src/store/secrets-key-source';

/** Where an AWS withdrawal writes: the stack's outputs, passed on the command line. */
export interface AwsWithdrawOptions {
  secretArn: string;
  tokensTable: string;
  region: string | undefined;
}

const valueAfter = (argv: string[], flag: string): string | undefined => {
  const at = argv.indexOf(flag);
  return at < 0 ? undefined : argv[at + 1];
};

/** `--secret-arn`, `--tokens-table` and `--region`: all or none (none: the local stack). */
export const awsWithdrawOptions = (argv: string[]): AwsWithdrawOptions | undefined => {
  const secretArn = valueAfter(argv, '--secret-arn');
  const tokensTable = valueAfter(argv, '--tokens-table');
  if (!secretArn && !tokensTable) return undefined;
  if (!secretArn || !tokensTable) throw new Error('Give both --secret-arn and --tokens-table.');
  return { secretArn, tokensTable, region: valueAfter(argv, '--region') };
};

/** Every `--kid <kid>` given: the keys to withdraw (none: every key of the set). */
export const kidsToWithdraw = (argv: string[]): string[] | undefined => {
  const kids = argv.flatMap((arg, i) =>
    arg === '--kid' && argv[i + 1] ? [argv[i + 1] as string] : [],
  );
  return kids.length > 0 ? kids : undefined;
};

/**
 * The AWS target, with the operator's credentials (the SDK's default chain): the signing-keys
 * secret through the same key source the signers use, and the JWKS item through publishKeys.
 */
export const awsWithdrawTarget = (options: AwsWithdrawOptions): WithdrawTarget => {
  const db = createDocumentClient(createDynamoClient({ region: options.region }));
  return {
    source: createSecretsKeySource(
      new SecretsManagerClient(options.region ? { region: options.region } : {}),
      options.secretArn,
    ),
    publishedGeneration: async () =>
      (await readPublishedKeys(db, options.tokensTable))?.generation ?? 0,
    publish: (generation, keys) => publishKeys(db, options.tokensTable, generation, keys),
  };
};
