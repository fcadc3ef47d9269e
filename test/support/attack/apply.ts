import { isGatehouseError } from '../../../src/core/shared/errors';
import * as accounts from './apply-accounts';
import * as mail from './apply-mail';
import * as oidc from './apply-oidc';
import * as sessions from './apply-sessions';
import * as sso from './apply-sso';
import type { Op } from './ops';
import type { World } from './world';

type Step<K extends Op['op']> = (world: World, op: Extract<Op, { op: K }>) => unknown;

const STEPS: { [K in Op['op']]: Step<K> } = {
  signUp: accounts.signUpStep,
  readMail: mail.readMailStep,
  forgot: mail.forgotStep,
  create: accounts.createStep,
  setRole: accounts.setRoleStep,
  setStatus: accounts.setStatusStep,
  changeEmail: accounts.changeEmailStep,
  adminReset: accounts.adminResetStep,
  decide: accounts.decideStep,
  delete: accounts.deleteStep,
  import: accounts.importStep,
  sso: sso.ssoStep,
  oidc: oidc.oidcStep,
  createLinked: oidc.createLinkedStep,
  signIn: sessions.signInStep,
  refresh: sessions.refreshStep,
  signOut: sessions.signOutStep,
  signOutAll: sessions.signOutAllStep,
  handOver: sessions.handOverStep,
  changeOwnPassword: sessions.changeOwnPasswordStep,
  changeOwnEmail: sessions.changeOwnEmailStep,
  apiToken: sessions.apiTokenStep,
  revokeApiToken: sessions.revokeApiTokenStep,
  createClient: sessions.createClientStep,
  deleteClient: sessions.deleteClientStep,
  clientToken: sessions.clientTokenStep,
};

/**
 * Runs one step. A refusal by the code (a GatehouseError: forbidden, conflict, pending...) is
 * an answer like any other and goes to the trace; anything else is a bug and fails the run.
 */
export const applyOp = async (world: World, op: Op): Promise<void> => {
  const step = STEPS[op.op] as Step<Op['op']>;
  let outcome: string;
  try {
    outcome = String(await step(world, op));
  } catch (error) {
    if (!isGatehouseError(error)) throw error;
    outcome = `refused: ${error.code}`;
  }
  world.trace.push(`${op.op}: ${outcome}`);
};
