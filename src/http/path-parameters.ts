import { GatehouseError } from '../core/shared/errors';

/**
 * The longest value a route's path parameter may have. Every id Gatehouse makes is under 50
 * characters; a path names one to look up, and a store key is its prefix and the value (at
 * most 4 bytes a character): 200 keeps every key under DynamoDB's 1,024-byte sort key and
 * 2,048-byte partition key, where a longer one is a ValidationException (a 500), not a miss.
 */
export const MAX_PATH_PARAMETER = 200;

/** The path's parameters, or not_found when one is longer than any id can be. */
export const checkedPathParameters = (
  parameters: Readonly<Record<string, string | undefined>>,
): Record<string, string> => {
  const checked: Record<string, string> = {};
  for (const [name, value] of Object.entries(parameters)) {
    if (value === undefined) continue;
    if (value.length > MAX_PATH_PARAMETER) {
      throw new GatehouseError('not_found', 'Nothing has that id.');
    }
    checked[name] = value;
  }
  return checked;
};
