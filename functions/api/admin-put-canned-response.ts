import { cannedResponseBody, cannedResponseParams, diff } from '#core/admin';
import { adminStore } from '#adapters/admin-store';
import { adminRoute } from '#shared/admin-route';
import { config } from '#shared/config';
import { HttpError, json } from '#shared/http';

const admins = adminStore(config.tableName);

/**
 * PUT /admin/canned-responses/{id}: creates (201) or replaces (200) a canned
 * response, in both languages. Sending what is already there changes nothing.
 */
export const handler = adminRoute({ params: cannedResponseParams, body: cannedResponseBody }, async ({ params, body, principal }) => {
  const next = { id: params.id, title: body.title, body: body.body };
  const current = await admins.getCannedResponse(params.id);
  const changes = diff(current ? { title: current.title, body: current.body } : {}, { title: next.title, body: next.body });
  if (current && Object.keys(changes).length === 0) return json(200, next);
  const action = current ? 'canned_response.replaced' : 'canned_response.created';
  const result = await admins.putCannedResponse(next, Boolean(current), { actor: principal.email, action, target: params.id, changes });
  if (result === 'changed') throw new HttpError(409, 'canned_response_changed', 'The canned response was created or deleted meanwhile; try again');
  return json(current ? 200 : 201, next);
});
