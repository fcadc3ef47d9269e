import type { UserRecord } from '../core/users/users';
import { keys, searchPrefix } from './schema';

/**
 * Search entries: email, username and name, each lower case, by field number, each as much of
 * it as a key keeps (`searchPrefix`): two names alike in their first 512 bytes share an entry.
 */
export const searchValues = (user: UserRecord): (string | null)[] =>
  [
    user.emailKey,
    user.usernameKey,
    user.name ? user.name.normalize('NFC').toLowerCase() : null,
  ].map((value) => (value === null ? null : searchPrefix(value)));

/**
 * The sort key of a user's first search entry that starts with `prefix`: a user matching on
 * several fields is listed there only, so every user appears once across all pages.
 */
export const firstMatch = (user: UserRecord, prefix: string): string | undefined =>
  searchValues(user)
    .flatMap((value, field) =>
      value?.startsWith(prefix) ? [keys.search(value, String(field), user.id).sk] : [],
    )
    .sort()[0];
