import { cannedResponseBody, cannedResponseParams, diff } from '#core/admin';
import { RuleViolationError } from '#core/errors';
import { departmentStore } from '#adapters/department-store';
import { adminStore } from '#adapters/admin-store';
import { adminRoute } from '#shared/admin-route';
import { configFor } from '#shared/config';
import { HttpError, json } from '#shared/http';

const config = await configFor('AdminPutCannedResponse');

const admins = adminStore(config.tableName);
const departments = departmentStore(config.tableName);

/**
 * PUT /admin/canned-responses/{id}: creates (201) or replaces (200) a canned
 * response, in both languages, optionally for one department's agents only (`department`;
 * left out, a replaced response keeps its department, so an editor unaware of it never widens
 * who sees it; null offers it to everyone). Sending what is already there changes nothing.
 */
export const handler = adminRoute(config, { params: cannedResponseParams, body: cannedResponseBody }, async ({ params, body, principal }) => {
  if (body.department && !(await departments.knownDepartment(body.department))) {
    throw new RuleViolationError('unknown_department', `There is no department "${body.department}"`);
  }
  const current = await admins.getCannedResponse(params.id);
  const department = body.department === undefined ? current?.department : body.department;
  const next = { id: params.id, title: body.title, body: body.body, ...(department && { department }) };
  const shown = (r: { title: unknown; body: unknown; department?: string | null }) => ({ title: r.title, body: r.body, ...(r.department && { department: r.department }) });
  const changes = diff(current ? shown(current) : {}, shown(next));
  if (current && Object.keys(changes).length === 0) return json(200, next);
  const action = current ? 'canned_response.replaced' : 'canned_response.created';
  const result = await admins.putCannedResponse(next, Boolean(current), { actor: principal.email, action, target: params.id, changes });
  if (result === 'changed') throw new HttpError(409, 'canned_response_changed', 'The canned response was created or deleted meanwhile; try again');
  return json(current ? 200 : 201, next);
});
