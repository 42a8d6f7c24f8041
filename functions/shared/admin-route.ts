import type { APIGatewayProxyEventV2WithJWTAuthorizer, Context } from 'aws-lambda';
import { agentFromClaims, requireAdmin } from './auth.ts';
import { agentRoute, HttpError, json, type ApiRequest, type Result, type RouteSpec } from './http.ts';

type Event = APIGatewayProxyEventV2WithJWTAuthorizer;

/**
 * An agent route that only admins may call. The caller is checked twice: before
 * anything else, so a non-admin learns nothing from the body's validation, and
 * again inside, so the business function can never run for anyone else.
 */
export function adminRoute<B = undefined, Q = undefined, P = undefined>(
  spec: RouteSpec<B, Q, P>,
  fn: (req: ApiRequest<B, Q, P>, context: Context) => Promise<Result>,
) {
  const inner = agentRoute(spec, async (req, context) => {
    const admin = requireAdmin(req.principal);
    if (!admin.ok) throw new HttpError(admin.status, 'forbidden', admin.message);
    return fn(req, context);
  });
  const handler = async (event: Event, context: Context): Promise<Result> => {
    const auth = agentFromClaims(event?.requestContext?.authorizer?.jwt?.claims);
    if (auth.ok) {
      const admin = requireAdmin(auth.principal);
      if (!admin.ok) return json(admin.status, { error: { code: 'forbidden', message: admin.message } });
    }
    // Missing or non-agent tokens get agentRoute's own 401/403.
    return inner(event, context);
  };
  // Keep what agentRoute marks its handlers with (e.g. that they are observed).
  for (const key of Object.getOwnPropertySymbols(inner)) Object.defineProperty(handler, key, Object.getOwnPropertyDescriptor(inner, key)!);
  return handler;
}
