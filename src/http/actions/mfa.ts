import {
  confirmOwnTotp,
  listOwnFactors,
  removeOwnFactor,
  renewOwnRecoveryCodes,
  startOwnTotp,
} from '../../core/account/own-factors';
import type { Action } from '../handler';
import { json, noContent } from '../responses';
import type { ConfirmTotpBody, EnrolTotpBody, StepUpBody } from '../schemas';
import { proofOf, requireSession } from './account-session';

// Every answer here is `Cache-Control: no-store` (responses.ts): secrets and codes included.

export const listFactorsAction: Action = async (request) => {
  const { actor } = await requireSession(request);
  return json(200, await listOwnFactors(request.deps, actor));
};

export const enrolTotpAction: Action = async (request) => {
  const session = await requireSession(request);
  const { name, ...given } = request.body as EnrolTotpBody;
  const proof = await proofOf(request, session, given);
  return json(201, await startOwnTotp(request.deps, session.actor, name, proof, request.meta));
};

export const confirmTotpAction: Action = async (request) => {
  const { actor, sid } = await requireSession(request);
  const { code } = request.body as ConfirmTotpBody;
  const factorId = request.pathParameters.factor_id ?? '';
  return json(200, await confirmOwnTotp(request.deps, actor, sid, factorId, code, request.meta));
};

export const removeFactorAction: Action = async (request) => {
  const session = await requireSession(request);
  const proof = await proofOf(request, session, request.body as StepUpBody);
  const factorId = request.pathParameters.factor_id ?? '';
  await removeOwnFactor(request.deps, session.actor, factorId, proof, request.meta);
  return noContent();
};

export const renewRecoveryCodesAction: Action = async (request) => {
  const session = await requireSession(request);
  const proof = await proofOf(request, session, request.body as StepUpBody);
  return json(200, await renewOwnRecoveryCodes(request.deps, session.actor, proof, request.meta));
};
