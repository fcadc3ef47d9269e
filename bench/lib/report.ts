import { pathToFileURL } from 'node:url';

/** One line of the final summary: a printed figure, never an assertion. */
export interface Figure {
  name: string;
  value: string;
  target: string;
  /** Null for figures reported for context, without a target. */
  meets: boolean | null;
}

export type Section = () => Promise<Figure[]>;

export const markdownTable = (header: string[], rows: string[][]): string => {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: string[]) =>
    `| ${cells.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join(' | ')} |`;
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)].join(
    '\n',
  );
};

const verdict = (meets: boolean | null): string => {
  if (meets === null) return '-';
  return meets ? 'yes' : 'NO';
};

export const summaryTable = (figures: Figure[]): string =>
  markdownTable(
    ['Figure', 'Value', 'Target', 'Meets'],
    figures.map((figure) => [figure.name, figure.value, figure.target, verdict(figure.meets)]),
  );

export const heading = (title: string): void => {
  process.stdout.write(`\n## ${title}\n\n`);
};

export const print = (text = ''): void => {
  process.stdout.write(`${text}\n`);
};

/**
 * Runs a section when its file is the one tsx was started with, so each section also runs
 * alone. A missed target never fails the run; a broken measurement does.
 */
export const runIfMain = (moduleUrl: string, section: Section): void => {
  const started = process.argv[1];
  if (!started || pathToFileURL(started).href !== moduleUrl) return;
  section()
    .then((figures) => {
      heading('Summary');
      print(summaryTable(figures));
    })
    .catch((error: unknown) => {
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : error}\n`);
      process.exitCode = 1;
    });
};
