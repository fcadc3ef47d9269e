import { describe, expect, it } from 'vitest';
import { awsWithdrawOptions, kidsToWithdraw } from '../../../dev/withdraw-target';

describe('keys:rotate --withdraw arguments', () => {
  it('withdraws on AWS only with both the secret and the table named', () => {
    expect(awsWithdrawOptions(['--withdraw'])).toBeUndefined();
    expect(
      awsWithdrawOptions([
        '--withdraw',
        '--secret-arn',
        'arn:aws:secretsmanager:eu-west-1:1:secret:k',
        '--tokens-table',
        'tokens',
        '--region',
        'eu-west-1',
      ]),
    ).toEqual({
      secretArn: 'arn:aws:secretsmanager:eu-west-1:1:secret:k',
      tokensTable: 'tokens',
      region: 'eu-west-1',
    });
    // Half an AWS target never falls back to the local stack.
    expect(() => awsWithdrawOptions(['--withdraw', '--secret-arn', 'arn'])).toThrow(/both/);
    expect(() => awsWithdrawOptions(['--withdraw', '--tokens-table', 't'])).toThrow(/both/);
  });

  it('names each --kid, or none (every key of the set)', () => {
    expect(kidsToWithdraw(['--withdraw'])).toBeUndefined();
    expect(kidsToWithdraw(['--withdraw', '--kid', 'a', '--kid', 'b'])).toEqual(['a', 'b']);
  });
});
