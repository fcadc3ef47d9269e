/**
 * An RFC 4180 reader for the tests (csv-parse is not installed): quoted fields may hold
 * commas, doubled quotes, CR and LF; records end with CRLF. Answers rows of fields.
 */
export const readCsv = (text: string): string[][] => {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c === '"' && field === '') {
      quoted = true;
    } else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else if (c === '\r' || c === '\n' || c === '"') {
      throw new Error(`readCsv: a bare ${JSON.stringify(c)} at ${i} (RFC 4180 quotes it)`);
    } else {
      field += c;
    }
  }
  if (quoted) throw new Error('readCsv: an unclosed quote');
  if (field !== '' || row.length) throw new Error('readCsv: the last record has no CRLF');
  return rows;
};

/** CSV rows as objects keyed by the header row. */
export const csvRecords = (text: string): Record<string, string>[] => {
  const [header, ...rows] = readCsv(text);
  if (!header) return [];
  return rows.map((row) => Object.fromEntries(header.map((name, i) => [name, row[i] ?? ''])));
};

/** A cell as the export wrote it, back to the value (the formula guard's `'` removed). */
export const unguarded = (cell: string) => (/^'[=+\-@\t\r]/.test(cell) ? cell.slice(1) : cell);
