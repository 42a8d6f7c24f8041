import { cannedResponseParams } from '#core/admin';
import { NotFoundError } from '#core/errors';
import { adminStore } from '#adapters/admin-store';
import { adminRoute } from '#shared/admin-route';
import { configFor } from '#shared/config';

const config = await configFor('AdminDeleteCannedResponse');

const admins = adminStore(config.tableName);

/** DELETE /admin/canned-responses/{id}: 204; 404 when there is none. The audit record keeps what it said. */
export const handler = adminRoute(config, { params: cannedResponseParams }, async ({ params, principal }) => {
  const current = await admins.getCannedResponse(params.id);
  if (!current) throw new NotFoundError('Canned response');
  const deleted = await admins.deleteCannedResponse(params.id, {
    actor: principal.email,
    action: 'canned_response.deleted',
    target: params.id,
    changes: { title: [current.title, null], body: [current.body, null] },
  });
  if (!deleted) throw new NotFoundError('Canned response');
  return { statusCode: 204, headers: { 'cache-control': 'no-store' } };
});
