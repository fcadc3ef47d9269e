import { readFileSync } from 'node:fs';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Seconds each test file took in a recent full run ("<project>:<path>"), refreshed with
 * `RECORD_TEST_SECONDS=1 npm test` (summary-reporter.ts writes it). Only the order of files
 * depends on it: a stale or missing entry costs time, never a test.
 */
export const FILE_SECONDS = new URL('./file-seconds.json', import.meta.url);

const readSeconds = (): Record<string, number> => {
  try {
    return JSON.parse(readFileSync(FILE_SECONDS, 'utf8'));
  } catch {
    return {};
  }
};

/**
 * Longest files first, across projects: with two workers, a long file started last would
 * leave one worker idle for its whole length (a fresh clone has no vitest cache to order by).
 * Files not in the record (new ones) run first, as vitest's own order does.
 */
export default class LongestFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const seconds = readSeconds();
    const root = `${process.cwd()}/`;
    const known = (spec: TestSpecification) =>
      seconds[`${spec.project.name}:${spec.moduleId.replace(root, '')}`] ??
      Number.POSITIVE_INFINITY;
    return [...files].sort(
      (a, b) =>
        a.project.config.sequence.groupOrder - b.project.config.sequence.groupOrder ||
        known(b) - known(a),
    );
  }
}
