/**
 * Calls a failure reporter from work nothing awaits (a count started and left): a reporter
 * that throws must not leave an unhandled rejection, and there is no one left to tell.
 */
export const reportQuietly = (report: () => void): void => {
  try {
    report();
  } catch {
    // The reporter's own failure: dropped on purpose.
  }
};
