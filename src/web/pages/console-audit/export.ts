import { type AuditExportFormat, exportAuditEvents } from '../../../core/audit/audit-export';
import { consoleAction, queryPath } from '../console-shared';
import { readFilters } from './filters';

const CONTENT_TYPES: Record<AuditExportFormat, string> = {
  csv: 'text/csv; charset=utf-8; header=present',
  jsonl: 'application/jsonl; charset=utf-8',
};

/** `2026-12-07T04:12:09.123Z` as `20261207T041209Z`, for a file name. */
const stamp = (at: number) => new Date(at).toISOString().replace(/[-:]|\.\d+/g, '');

/**
 * A download of every event the filters match (docs/console.md, Audit log): one part within
 * the byte budget; when more remain, a `Link: rel="next"` names the next part.
 */
const exportAction = (format: AuditExportFormat) =>
  consoleAction('audit:read', async (request) => {
    const { values, query } = await readFilters(request, 200);
    const part = await exportAuditEvents(request.deps, query, format);
    const path = `/console/audit/export.${format}`;
    const file = `gatehouse-audit-${stamp(request.deps.clock.now())}${query.cursor ? '-continued' : ''}.${format}`;
    return {
      statusCode: 200,
      headers: {
        'content-type': CONTENT_TYPES[format],
        'content-disposition': `attachment; filename="${file}"`,
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
        ...(part.next_cursor
          ? { link: `<${queryPath(path, { ...values, cursor: part.next_cursor })}>; rel="next"` }
          : {}),
      },
      body: part.body,
    };
  });

export const auditCsvExport = exportAction('csv');
export const auditJsonLinesExport = exportAction('jsonl');
