import type { Context } from 'aws-lambda';
import { requireAdmin } from './auth.ts';
import { agentRoute, HttpError, type ApiRequest, type Result, type RouteSpec } from './http.ts';

/**
 * An agent route that only admins may call, by the caller's profile as it is now (a demoted
 * admin's token is refused at once). The caller is checked twice: before anything else, so a
 * non-admin learns nothing from the body's validation, and again inside, so the business
 * function can never run for anyone else.
 */
export function adminRoute<B = undefined, Q = undefined, P = undefined>(
  config: { readonly tableName: string },
  spec: RouteSpec<B, Q, P>,
  fn: (req: ApiRequest<B, Q, P>, context: Context) => Promise<Result>,
) {
  return agentRoute(config, { ...spec, adminOnly: true }, async (req, context) => {
    const admin = requireAdmin(req.principal);
    if (!admin.ok) throw new HttpError(admin.status, 'forbidden', admin.message);
    return fn(req, context);
  });
}
