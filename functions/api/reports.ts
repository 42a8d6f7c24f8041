import { configFor } from '#shared/config';
import { agentRoute, json } from '#shared/http';
import { reportStore } from '#adapters/report-store';
import { reportQuery } from '#core/schemas';
import { buildReport, reportCsv, reportFilename, reportRange, visibleCounters } from '#core/report';
import { mayCount, visibleDepartments } from '#core/access';

const config = await configFor('Reports');

const store = reportStore(config.tableName);

/**
 * GET /reports?from=&to=&format=: volume, recurring categories and subjects,
 * SLA compliance, backlog and CSAT for a range of days, from counters kept at
 * write time (never a scan); as JSON, or as a CSV download. Only the caller's departments count.
 */
export const handler = agentRoute(config, { query: reportQuery }, async ({ query, principal }) => {
  const range = reportRange(query.from, query.to, new Date().toISOString().slice(0, 10));
  // Counters are kept per department: the caller's report sums only the departments they may see.
  const counters = await store.readReportCounters(range, visibleDepartments(principal));
  const report = buildReport(range, visibleCounters(counters, (department) => mayCount(principal, department)));
  if (query.format === 'json') return json(200, report);
  return {
    statusCode: 200,
    headers: {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="${reportFilename(range)}"`,
      'cache-control': 'no-store',
    },
    body: reportCsv(report),
  };
});
