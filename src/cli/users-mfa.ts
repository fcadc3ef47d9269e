import type { Argument, Command } from '@commander-js/extra-typings';
import { noRequest } from '../core/audit/audit';
import { GatehouseError } from '../core/shared/errors';
import { resetUserFactors } from '../core/users/mfa-reset';
import { findUserByReference } from '../core/users/user-listing';
import { type CliContext, examples, OPERATOR } from './commands';

/** `users mfa-reset USER`: the same core call as `DELETE /users/{id}/mfa`, as the operator. */
export const addMfaResetCommand = (
  users: Command,
  context: CliContext,
  userArgument: () => Argument<'<user>'>,
) => {
  users
    .command('mfa-reset')
    .description(
      "Clear a user's second factors and recovery codes (a lost phone); every session of the user ends.",
    )
    .addArgument(userArgument())
    .addHelpText('after', examples('gatehouse users mfa-reset ann@example.com'))
    .action(async (ref) => {
      const { deps, out } = await context.open();
      const user = await findUserByReference(deps, ref);
      if (!user) throw new GatehouseError('not_found', `No user ${JSON.stringify(ref)}.`);
      await resetUserFactors(deps, OPERATOR, user.id, noRequest);
      out.result(() => `Cleared the factors of ${user.email}; their sessions have ended.`, {
        reset: user.id,
      });
    });
};
