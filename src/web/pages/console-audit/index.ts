import type { PageAction } from '../../page-handler';
import { auditCsvExport, auditJsonLinesExport } from './export';
import { auditPage } from './page';

/** The audit log's page and its downloads, by page route key (src/web/routes.ts). */
export const consoleAuditActions: Record<string, PageAction> = {
  'GET /console/audit': auditPage,
  'GET /console/audit/export.csv': auditCsvExport,
  'GET /console/audit/export.jsonl': auditJsonLinesExport,
};
