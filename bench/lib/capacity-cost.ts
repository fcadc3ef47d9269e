import { type FunctionName, functionSpecs } from '../../src/http/functions';
import type { ReadWrite } from './capacity-proxy';
import {
  COGNITO_ESSENTIALS_PER_MAU,
  COGNITO_FREE_MAU,
  COGNITO_LITE_BANDS,
  COGNITO_PLUS_PER_MAU,
  DYNAMODB_PER_MILLION_READ_UNITS,
  DYNAMODB_PER_MILLION_WRITE_UNITS,
  HTTP_API_PER_MILLION_REQUESTS,
  LAMBDA_ARM64_PER_GB_SECOND,
  LAMBDA_BILLING_STEP_MS,
  LAMBDA_MB_PER_VCPU,
  LAMBDA_PER_MILLION_REQUESTS,
} from './prices';

/** One function's share of an operation: invocations per operation and its handler's p50. */
export interface LambdaUse {
  function: FunctionName;
  invocations: number;
  p50Ms: number;
}

export const memoryMb = (name: FunctionName): number => functionSpecs[name].memoryMb;

/** USD per million operations of `units` read and write request units each. */
export const dynamoPerMillion = (units: ReadWrite): number =>
  units.read * DYNAMODB_PER_MILLION_READ_UNITS + units.write * DYNAMODB_PER_MILLION_WRITE_UNITS;

/**
 * USD per million operations for their invocations at the stack's memory. `cpuShare` stretches
 * the measured time by the vCPU share the memory buys (a full core here): an upper bound, as if
 * every millisecond were CPU and none a wait on DynamoDB.
 */
export const lambdaPerMillion = (uses: readonly LambdaUse[], cpuShare = false): number =>
  uses.reduce((sum, use) => {
    const memory = memoryMb(use.function);
    const stretch = cpuShare ? Math.max(1, LAMBDA_MB_PER_VCPU / memory) : 1;
    const billedMs =
      Math.ceil((use.p50Ms * stretch) / LAMBDA_BILLING_STEP_MS) * LAMBDA_BILLING_STEP_MS;
    const gbSeconds = (memory / 1024) * (billedMs / 1000);
    return (
      sum +
      use.invocations * (LAMBDA_PER_MILLION_REQUESTS + gbSeconds * LAMBDA_ARM64_PER_GB_SECOND * 1e6)
    );
  }, 0);

/** USD per million operations of `requests` HTTP API requests each. */
export const apiGatewayPerMillion = (requests: number): number =>
  requests * HTTP_API_PER_MILLION_REQUESTS;

/** Cognito user pools' monthly bill for `mau` users signing in directly, per feature plan. */
export const cognitoMonthly = (mau: number) => {
  let lite = 0;
  let floor = 0;
  for (const [ceiling, price] of COGNITO_LITE_BANDS) {
    lite += Math.max(0, Math.min(mau, ceiling) - floor) * price;
    floor = ceiling;
  }
  return {
    lite,
    essentials: Math.max(0, mau - COGNITO_FREE_MAU) * COGNITO_ESSENTIALS_PER_MAU,
    plus: mau * COGNITO_PLUS_PER_MAU,
  };
};

export const dollars = (value: number): string =>
  value === 0
    ? '$0'
    : value >= 100
      ? `$${Math.round(value).toLocaleString('en-US')}`
      : `$${value.toFixed(value >= 1 ? 2 : 3)}`;
