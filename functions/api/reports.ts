import { config } from '#shared/config';
import { agentRoute, json } from '#shared/http';
import { ticketStore } from '#adapters/ticket-store';
import { reportQuery } from '#core/schemas';
import { buildReport, reportCsv, reportFilename, reportRange } from '#core/report';

const store = ticketStore(config.tableName);

/**
 * GET /reports?from=&to=&format=: volume, recurring categories and subjects,
 * SLA compliance, backlog and CSAT for a range of days, from counters kept at
 * write time (never a scan); as JSON, or as a CSV download.
 */
export const handler = agentRoute({ query: reportQuery }, async ({ query }) => {
  const range = reportRange(query.from, query.to, new Date().toISOString().slice(0, 10));
  const report = buildReport(range, await store.readReportCounters(range));
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
