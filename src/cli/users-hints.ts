import type { Command } from '@commander-js/extra-typings';
import { backfillLoginHints } from '../core/users/login-hint-backfill';
import { type CliContext, examples } from './commands';

/** `users backfill-password-hints`: the upgrade step after the deploy that added login hints. */
export const addBackfillHintsCommand = (users: Command, context: CliContext) => {
  users
    .command('backfill-password-hints')
    .description(
      "Copy each user's password hash onto their login items (an upgrade step; safe to run again).",
    )
    .addHelpText('after', examples('gatehouse users backfill-password-hints --stack Gatehouse'))
    .action(async () => {
      const { deps, out } = await context.open();
      const summary = await backfillLoginHints(deps);
      out.result(
        () =>
          `Gave the login items of ${summary.refreshed} users their hint` +
          (summary.changedMeanwhile > 0
            ? `; ${summary.changedMeanwhile} changed meanwhile (that change wrote their hint).`
            : '.'),
        summary,
      );
    });
};
