import { noRequest } from '../../src/core/audit/audit';
import { confirmTotp, enrolTotp, issueMfaToken } from '../../src/core/mfa';
import type { CoreDeps } from '../../src/core/shared/deps';
import type { UserRecord } from '../../src/core/users/users';
import { totpCodeAt } from './totp-codes';

/** A confirmed TOTP factor: its id, secret, and the recovery codes if it was the first. */
export const confirmedTotp = async (deps: CoreDeps, user: UserRecord) => {
  const enrolled = await enrolTotp(deps, user, 'phone');
  const confirmed = await confirmTotp(
    deps,
    user,
    enrolled.factor_id,
    totpCodeAt(enrolled.secret, deps.clock.now()),
    noRequest,
  );
  return { factorId: enrolled.factor_id, secret: enrolled.secret, codes: confirmed.recovery_codes };
};

/** An mfa_token as a right password would give it. */
export const passwordMfaToken = async (deps: CoreDeps, user: UserRecord) =>
  (
    await issueMfaToken(deps, user.id, {
      method: 'password',
      clientId: null,
      sid: null,
      amr: ['pwd'],
    })
  ).mfaToken;
