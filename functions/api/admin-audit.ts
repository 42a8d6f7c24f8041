import { auditQuery } from '#core/admin';
import { adminStore } from '#adapters/admin-store';
import { adminRoute } from '#shared/admin-route';
import { configFor } from '#shared/config';
import { json } from '#shared/http';

const config = await configFor('AdminAudit');

const admins = adminStore(config.tableName);

/** GET /admin/audit?limit=&cursor=: admin actions, newest first. */
export const handler = adminRoute(config, { query: auditQuery }, async ({ query }) => json(200, await admins.listAudit(query.limit, query.cursor)));
