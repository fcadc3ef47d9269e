/**
 * List prices for bench/capacity.ts: us-east-1, on-demand, no free tier unless named, in USD.
 * Read 2026-12-07 from the stored copies of the pages named (no internet here): check the live
 * pages before quoting a figure.
 */
export const PRICE_REGION = 'us-east-1';
export const PRICES_READ_ON = '2026-12-07';

// "Amazon DynamoDB pricing for on-demand capacity" (standard table class; the on-demand rates
// AWS halved in November 2024). Confirmed by a third-party copy of the page, not AWS's own.
export const DYNAMODB_PER_MILLION_READ_UNITS = 0.125;
export const DYNAMODB_PER_MILLION_WRITE_UNITS = 0.625;

// "AWS Lambda pricing", Arm, first 7.5 billion GB-seconds a month; requests are the same price
// on both architectures.
export const LAMBDA_ARM64_PER_GB_SECOND = 0.0000133334;
export const LAMBDA_PER_MILLION_REQUESTS = 0.2;
/** Lambda bills duration rounded up to the millisecond. */
export const LAMBDA_BILLING_STEP_MS = 1;
/** Lambda gives a function one full vCPU at this memory, a proportional share below it. */
export const LAMBDA_MB_PER_VCPU = 1769;

// "Amazon API Gateway pricing", HTTP APIs, first 300 million requests a month (each 512 KB).
export const HTTP_API_PER_MILLION_REQUESTS = 1.0;

// "Amazon Cognito pricing", user pools, per monthly active user (MAU) signing in directly.
// Essentials and Lite: the first 10,000 MAU a month free; Plus has no free tier.
export const COGNITO_FREE_MAU = 10_000;
export const COGNITO_ESSENTIALS_PER_MAU = 0.015;
export const COGNITO_PLUS_PER_MAU = 0.02;
/**
 * Lite, by band of MAU (upper bound, price): the 10,001-100,000 and 100,001-1,000,000 rates are
 * confirmed (the page's worked example); the bands above 1 million are not, only remembered from
 * the page of November 2024.
 */
export const COGNITO_LITE_BANDS: readonly (readonly [number, number])[] = [
  [10_000, 0],
  [100_000, 0.0055],
  [1_000_000, 0.0046],
  [10_000_000, 0.00325],
  [Number.POSITIVE_INFINITY, 0.0025],
];
