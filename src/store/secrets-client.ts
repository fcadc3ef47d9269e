import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { budgetedClientConfig, withFaultBudget } from './aws-client-budget';

/** What a failed Secrets Manager call names to the caller (503 `unavailable`). */
const SECRET_STORE = 'The secret store';

/** A Secrets Manager client under the fault budget (aws-client-budget.ts). */
export const createSecretsClient = (): SecretsManagerClient =>
  withFaultBudget(new SecretsManagerClient(budgetedClientConfig()), SECRET_STORE);
