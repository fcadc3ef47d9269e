import { isGatehouseError } from '../../core/shared/errors';
import type { UserRecord } from '../../core/users/users';
import { pageRefusal } from '../../http/error-answer';
import type { Html } from '../html';
import { layout } from '../layout';
import type { PageRequest, page } from '../page-handler';

/** A console page of the signed-in user, with its navigation. */
export const consolePage = (request: PageRequest, user: UserRecord, title: string, body: Html) =>
  layout({ title, body, user, csrf: request.csrf, path: request.path });

/** Refusals a console form shows beside itself. */
const FORM_ERRORS = new Set([
  'forbidden',
  'record_invalid',
  'too_many_attempts',
  'conflict',
  'not_found',
]);

/** A factor form's work, or the form again with the refusal (its status, the error renderer's). */
export const orRefuse = async (
  work: () => Promise<ReturnType<typeof page>>,
  again: (error: string) => Html,
) => {
  try {
    return await work();
  } catch (error) {
    if (isGatehouseError(error) && FORM_ERRORS.has(error.code)) {
      return pageRefusal(error, again(error.message));
    }
    throw error;
  }
};
