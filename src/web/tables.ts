import { type Html, html } from './html';

/** A column: its header, an optional width class (`th.col-*`), and whether the header is read only by screen readers (an actions column). */
export interface Column {
  label: string;
  width?: 'xs' | 's' | 'm' | 'l';
  hiddenLabel?: boolean;
}

type Cell = Html | string | null;

/**
 * A table that fits its column at every width (web/src/styles/tables.css): fixed layout, long
 * values wrap, and below 48rem each row becomes a block whose cells carry their header as
 * `data-label`. Without rows it is a sentence, not an empty table.
 */
export const stackTable = (options: {
  caption: string;
  columns: readonly Column[];
  rows: readonly (readonly Cell[])[];
  empty: string;
}): Html => {
  if (options.rows.length === 0) return html`<p>${options.empty}</p>`;
  const { columns } = options;
  const header = columns.map(
    (column) =>
      html`<th scope="col"${column.width ? html` class="col-${column.width}"` : ''}>${
        column.hiddenLabel
          ? html`<span class="visually-hidden">${column.label}</span>`
          : column.label
      }</th>`,
  );
  const body = options.rows.map(
    (row) =>
      html`<tr>${row.map((cell, index) => {
        const column = columns[index];
        const label = column && !column.hiddenLabel ? html` data-label="${column.label}"` : '';
        return html`<td${label}>${cell}</td>`;
      })}</tr>`,
  );
  return html`<div class="table-wrap"><table class="fixed stack">
<caption>${options.caption}</caption>
<thead><tr>${header}</tr></thead>
<tbody>${body}</tbody>
</table></div>`;
};

/** A long value on one line, cut with an ellipsis; focus or hover shows it whole. */
export const truncated = (text: string): Html =>
  html`<span class="truncate" tabindex="0" title="${text}">${text}</span>`;
