import { listAuditEvents } from '../../../core/audit/audit-log';
import { namesInAuditEvents } from '../../../core/audit/audit-names';
import { type Html, html } from '../../html';
import { alert, layout } from '../../layout';
import { page } from '../../page-handler';
import { consoleAction, formError, pager } from '../console-shared';
import { exportLinks, filterForm } from './filter-form';
import { type FilterValues, readFilters } from './filters';
import { eventsTable } from './table';

const PAGE_SIZE = 50;

/** The audit log: filters, export links, one page of events in words. */
export const auditPage = consoleAction('audit:read', async (request, actor) => {
  let values: FilterValues = {};
  let results: Html = html``;
  let notes: string[] = [];
  let problem: { message: string; status: number } | null = null;
  try {
    const filters = await readFilters(request, PAGE_SIZE);
    ({ values, notes } = filters);
    // The same listing as GET /audit, so a cursor from one works in the other.
    const found = await listAuditEvents(request.deps, filters.query);
    const names = await namesInAuditEvents(request.deps, found.events);
    results = html`${eventsTable(found.events, names)}
${pager('/console/audit', values, filters.query.cursor, found.next_cursor ?? undefined)}`;
  } catch (error) {
    problem = formError(error, ['record_invalid']);
    if (!problem) throw error;
    // The form comes back as typed, beside the message.
    for (const [key, value] of request.query)
      if (key !== 'cursor') Object.assign(values, { [key]: value });
  }
  const body = html`${alert(problem?.message)}
${notes.map((note) => alert(note, 'notice'))}
${filterForm(values)}
${problem ? '' : exportLinks(values)}
${results}`;
  return page(
    problem?.status ?? 200,
    layout({ title: 'Audit log', body, user: actor.user, csrf: request.csrf }),
  );
});
