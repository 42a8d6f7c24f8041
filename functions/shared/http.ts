import middy, { type MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { z } from 'zod';
import { DomainError, ForbiddenError, NotFoundError, RuleViolationError, VersionConflictError } from '#core/errors';
import { limits } from '#core/schemas';
import { jsonWellFormed } from '#core/text';
import { agentStatus } from '#adapters/agent-status';
import { agentFromClaims, principalFor, type Principal } from './auth.ts';
import { logger } from './logger.ts';
import { markObserved, observability } from './observability.ts';
import { policy } from './policy.ts';

/**
 * Protocol work for every agent route, as middy middleware: who is calling,
 * what the request carries, and how errors become responses. Handlers receive
 * validated input and return plain data.
 */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

type Event = APIGatewayProxyEventV2WithJWTAuthorizer;
export type Result = APIGatewayProxyStructuredResultV2;

export interface ApiRequest<B, Q, P> {
  body: B;
  query: Q;
  params: P;
  principal: Principal;
  /** Lower-case header names, as payload format 2.0 delivers them. */
  headers: Record<string, string | undefined>;
  /** The body as text, for a route that declares `text` (a file); otherwise undefined. */
  text?: string;
}

/** A body taken as text (a file such as JSON Lines), not parsed as JSON: its content types and size limit. */
export interface TextBodySpec {
  readonly types: readonly string[];
  readonly maxBytes: number;
  readonly description: string;
}

export interface RouteSpec<B, Q, P> {
  body?: z.ZodType<B, unknown>;
  query?: z.ZodType<Q, unknown>;
  params?: z.ZodType<P, unknown>;
  /** A text body (instead of a JSON `body`), read as it is under these limits. */
  text?: TextBodySpec;
  /** Admins only (see admin-route.ts): anyone else gets a 403 before their input is even read. */
  adminOnly?: boolean;
}

export function json(statusCode: number, body: unknown, headers: Record<string, string> = {}): Result {
  return {
    statusCode,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers },
    body: JSON.stringify(body),
  };
}

const errorBody = (code: string, message: string, extra: Record<string, unknown> = {}) => ({ error: { code, message, ...extra } });

/** Maps every failure to a JSON error; only unexpected ones are 500s, and they never carry a stack. */
function errorHandler(): MiddlewareObj<Event, Result> {
  return {
    onError: async (request) => {
      const err = request.error;
      let response: Result;
      if (err instanceof HttpError) {
        response = json(err.status, errorBody(err.code, err.message, err.details ? { details: err.details } : {}));
      } else if (err instanceof VersionConflictError) {
        const current = err.current as { version?: number } | undefined;
        response = json(409, { ...errorBody(err.code, err.message), current }, current?.version ? { etag: `"${current.version}"` } : {});
      } else if (err instanceof NotFoundError) {
        response = json(404, errorBody(err.code, err.message));
      } else if (err instanceof ForbiddenError) {
        response = json(403, errorBody(err.code, err.message, err.details ? { details: err.details } : {}));
      } else if (err instanceof RuleViolationError) {
        response = json(422, errorBody(err.code, err.message, err.details ? { details: err.details } : {}));
      } else if (err instanceof DomainError) {
        response = json(400, errorBody(err.code, err.message));
      } else {
        logger.error('Unhandled error', { error: err as Error });
        response = json(500, errorBody('internal_error', 'Something went wrong on our side; the request was not completed', { requestId: request.context.awsRequestId }));
      }
      request.response = response;
    },
  };
}

function zodDetails(error: z.ZodError) {
  return error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
}

function validate<T>(schema: z.ZodType<T, unknown>, value: unknown, what: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new HttpError(400, 'validation_failed', `The ${what} is not valid`, zodDetails(parsed.error));
  return parsed.data;
}

function readJsonBody(event: Event): unknown {
  const contentType = event.headers?.['content-type'] ?? '';
  if (!/^application\/([\w.+-]+\+)?json\s*(;|$)/i.test(contentType)) {
    throw new HttpError(415, 'unsupported_media_type', 'Send the body as application/json');
  }
  const raw = event.body ?? '';
  const text = event.isBase64Encoded ? Buffer.from(raw, 'base64').toString('utf8') : raw;
  if (Buffer.byteLength(text, 'utf8') > limits.requestBytes) {
    throw new HttpError(413, 'payload_too_large', `The body is larger than ${limits.requestBytes} bytes`);
  }
  if (text.trim() === '') throw new HttpError(400, 'body_required', 'A JSON body is required');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new HttpError(400, 'invalid_json', 'The body is not valid JSON');
  }
  // A `\ud800` escape parses to a lone surrogate, which no UTF-8 encoder (S3 keys, mail, URLs) takes.
  if (!jsonWellFormed(value)) throw new HttpError(400, 'invalid_text', 'The body contains text that is not valid Unicode (a lone UTF-16 surrogate)');
  return value;
}

/** A declared text body: its content type (415), its size (413), its bytes decoded as UTF-8. */
export function readTextBody(event: Pick<Event, 'headers' | 'body' | 'isBase64Encoded'>, spec: TextBodySpec): string {
  const type = (event.headers?.['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (!spec.types.includes(type)) throw new HttpError(415, 'unsupported_media_type', `Send the body as ${spec.types.join(', ')}`);
  const raw = event.body ?? '';
  const bytes = event.isBase64Encoded ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8');
  if (bytes.length > spec.maxBytes) throw new HttpError(413, 'payload_too_large', `The body is ${bytes.length} bytes; at most ${spec.maxBytes} are taken at once`);
  // Bytes that are not UTF-8 become U+FFFD, which the route's own checks can point at.
  return bytes.toString('utf8');
}

/** Path parameters arrive percent-encoded from some integrations; decode once, refusing malformed escapes. */
function decodeParams(params: Record<string, string | undefined> | undefined) {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(params ?? {})) {
    if (v === undefined) continue;
    try {
      out[k] = decodeURIComponent(v);
    } catch {
      throw new HttpError(400, 'invalid_path', `The ${k} in the path is not valid`);
    }
  }
  return out;
}

/**
 * Builds an agent route: authorize, parse and validate, then call the
 * business function, with logs, metrics and traces (observability()). The
 * error handler's onError runs before observability's and after parse's.
 * The caller's rights are read from the function's table (`config.tableName`).
 */
export function agentRoute<B = undefined, Q = undefined, P = undefined>(
  config: { readonly tableName: string },
  spec: RouteSpec<B, Q, P>,
  fn: (req: ApiRequest<B, Q, P>, context: Context) => Promise<Result>,
) {
  const access = agentStatus(config.tableName, policy.accessCacheSeconds * 1000);
  // Keyed by the event, not a shared variable: local mode runs invocations concurrently in one process.
  const parsed = new WeakMap<Event, ApiRequest<B, Q, P>>();
  const parse: MiddlewareObj<Event, Result> = {
    before: async ({ event }) => {
      const who = agentFromClaims(event.requestContext?.authorizer?.jwt?.claims);
      if (!who.ok) throw new HttpError(who.status, who.status === 401 ? 'unauthorized' : 'forbidden', who.message);
      // Rights come from the profile as it is now, not from the token: a valid token of an agent
      // an admin has since disabled or demoted carries only what the profile still grants.
      const [profile, restricted] = await Promise.all([access.profile(who.principal.email), access.restricted()]);
      const auth = principalFor(who.principal, profile, restricted);
      if (!auth.ok) throw new HttpError(auth.status, auth.status === 401 ? 'account_disabled' : 'forbidden', auth.message);
      if (spec.adminOnly && !auth.principal.admin) throw new HttpError(403, 'forbidden', 'This action needs an admin account');
      const headers = Object.fromEntries(Object.entries(event.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
      parsed.set(event, {
        principal: auth.principal,
        headers,
        params: spec.params ? validate(spec.params, decodeParams(event.pathParameters), 'path') : (undefined as P),
        query: spec.query ? validate(spec.query, event.queryStringParameters ?? {}, 'query string') : (undefined as Q),
        body: spec.body ? validate(spec.body, readJsonBody(event), 'body') : (undefined as B),
        ...(spec.text ? { text: readTextBody(event, spec.text) } : {}),
      });
    },
  };
  // Observability first: its onError runs after the error handler's, and sees whether the error was answered with a 4xx.
  const handler = markObserved(
    middy<Event, Result>()
      .use(observability())
      .use(errorHandler())
      .use(parse)
      .handler((event, context) => fn(parsed.get(event)!, context)),
  );
  // The schemas it parses with, readable from the handler: the OpenAPI test checks the document names these.
  return Object.assign(handler, { spec });
}

/** Reads the expected version from If-Match (`"3"`, `W/"3"` or `3`) or the body; both must agree. */
export function expectedVersion(headers: Record<string, string | undefined>, bodyVersion: number | undefined): number {
  const header = headers['if-match'];
  let fromHeader: number | undefined;
  if (header !== undefined) {
    const m = /^\s*(?:W\/)?"?(\d{1,9})"?\s*$/.exec(header);
    if (!m) throw new HttpError(400, 'invalid_if_match', 'If-Match must carry the ticket version, such as "3"');
    fromHeader = Number(m[1]);
  }
  if (fromHeader !== undefined && bodyVersion !== undefined && fromHeader !== bodyVersion) {
    throw new HttpError(400, 'version_mismatch', 'If-Match and the body name different versions');
  }
  const version = fromHeader ?? bodyVersion;
  if (version === undefined) {
    throw new HttpError(428, 'version_required', 'Send the version you last read, as If-Match or as "version" in the body, so no change is overwritten');
  }
  return version;
}
