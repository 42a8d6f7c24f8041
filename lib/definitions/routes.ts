/**
 * The HTTP routes: a view of the function manifest (./functions.ts), for the
 * CDK HTTP API and the local router, so the two can never drift. Add a route
 * in the manifest, not here. Pure data: no CDK or AWS imports.
 */
import { functions, type FunctionDefinition, type HttpMethod, type RouteAuth } from './functions.ts';

export type { RouteAuth } from './functions.ts';

export interface RouteDefinition {
  /** The function's name in the manifest. */
  readonly name: string;
  readonly method: HttpMethod;
  /** API Gateway path syntax: `{param}` segments. */
  readonly path: string;
  /** Handler file, relative to `functions/`, exporting `handler`. */
  readonly entry: string;
  /** `agent` routes sit behind the Cognito JWT authorizer. */
  readonly auth: RouteAuth;
}

/** The routes of a manifest, in its order. */
export function routesOf(manifest: readonly FunctionDefinition[]): RouteDefinition[] {
  return manifest.flatMap((fn) =>
    fn.trigger.kind === 'http' ? [{ name: fn.name, method: fn.trigger.method, path: fn.trigger.path, entry: fn.entry, auth: fn.trigger.auth }] : [],
  );
}

export const routes: readonly RouteDefinition[] = routesOf(functions);

/** Groups from `cognito:groups` that make a caller an agent. */
export const agentGroups = ['admins', 'agents-l1', 'agents-l2', 'agents-l3'] as const;
