import { AUDIT_ACTIONS, actionsByArea } from '../../../core/audit/audit-actions';
import { html } from '../../html';
import { field } from '../../layout';
import { queryPath } from '../console-shared';
import type { FilterValues } from './filters';

const option = (value: string, label: string, selected: string | undefined) =>
  html`<option value="${value}"${selected === value ? html` selected` : ''}>${label}</option>`;

/** Every catalogued action by area; one in the URL the catalogue lacks is kept, as "Other". */
const actionSelect = (selected: string | undefined) => html`<label for="field-action">Action</label>
<select id="field-action" name="action">
${option('', 'Any action', selected)}
${actionsByArea().map(
  (group) =>
    html`<optgroup label="${group.label}">${group.actions.map((action) =>
      option(action, `${AUDIT_ACTIONS[action]} (${action})`, selected),
    )}</optgroup>`,
)}
${
  selected && !Object.hasOwn(AUDIT_ACTIONS, selected)
    ? html`<optgroup label="Other">${option(selected, selected, selected)}</optgroup>`
    : ''
}
</select>`;

const outcomeSelect = (
  selected: string | undefined,
) => html`<label for="field-outcome">Outcome</label>
<select id="field-outcome" name="outcome">
${option('', 'Any outcome', selected)}${option('success', 'Success', selected)}${option('failure', 'Failure', selected)}
</select>`;

/** The filters, as a GET form: the URL holds them, so a link or the pager keeps them. */
export const filterForm = (
  values: FilterValues,
) => html`<form method="get" action="/console/audit" class="grid audit-filters" role="search" aria-label="Filter events">
${actionSelect(values.action)}
${field('Actor', 'actor_id', { value: values.actor_id, hint: 'An id, an email or a username' })}
${field('Target', 'target_id', { value: values.target_id, hint: 'A user (id, email or username), or a token or client id' })}
${outcomeSelect(values.outcome)}
${field('Since', 'since', { type: 'datetime-local', value: values.since, hint: 'In your time zone (UTC when scripts are off)' })}
${field('Until', 'until', { type: 'datetime-local', value: values.until, hint: 'Inclusive, to the end of that minute' })}
<input type="hidden" name="tz" value="${values.tz ?? ''}" data-time-zone-offset>
<p class="actions"><button type="submit">Filter</button> <a href="/console/audit">Clear</a></p>
</form>`;

/** Downloads of every event the filters match (not only this page), newest first. */
export const exportLinks = (values: FilterValues) => html`<section aria-labelledby="export-heading">
<h2 id="export-heading">Export</h2>
<p><a href="${queryPath('/console/audit/export.csv', values)}" download>Download CSV</a> ·
<a href="${queryPath('/console/audit/export.jsonl', values)}" download>Download JSON Lines</a></p>
<p><small>Every event these filters match, newest first. One download holds up to 5 MB; when more
events remain, the file ends at a whole event and its answer names the next part (a
<code>Link: rel="next"</code> header).</small></p>
</section>`;
