import { noRequest } from '../../src/core/audit/audit';
import { type ClientRecord, createClient, type NewClient } from '../../src/core/oauth/clients';
import type { CoreDeps } from '../../src/core/shared/deps';

/** Registers `client` as the operator named `operator` would at the CLI: no request behind it. */
export const operatorRegisters = (deps: CoreDeps, client: NewClient, operator = 'test') =>
  createClient(deps, { kind: 'operator', name: operator }, client, noRequest);

/** A first-party code-flow client stored as it is, without registration (ids and audit aside). */
export const aClientRecord = (
  overrides: Partial<ClientRecord> & Pick<ClientRecord, 'createdAt'>,
): ClientRecord => ({
  clientId: 'app',
  secretHash: null,
  name: 'App',
  redirectUris: ['https://app.example/cb'],
  grantTypes: ['authorization_code'],
  confidential: false,
  firstParty: true,
  serviceUserId: null,
  createdBy: null,
  ...overrides,
});
