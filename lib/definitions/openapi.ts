/**
 * The HTTP API as an OpenAPI 3.1 document, generated from the function manifest
 * (paths, methods, who may call) and the zod schemas the handlers validate with
 * (request bodies, query strings, path parameters), so it cannot drift:
 * - `routeSchemas` is typed by the manifest's HTTP functions: a route without an
 *   entry here does not compile;
 * - tests/unit/openapi.test.ts checks that each agent handler parses with exactly
 *   the schemas named here, and that docs/openapi.json is this output
 *   (`npm run openapi` writes it).
 * Pure: no CDK or AWS imports.
 */
import { z } from 'zod';
import { agentEmailParams, auditQuery, cannedResponseBody, cannedResponseParams, inviteAgentBody, updateAgentBody } from '#core/admin';
import { helpFormSchema, statusReplySchema } from '#core/customer-forms';
import { erasureBody } from '#core/erasure';
import {
  addMessageBody,
  attachmentKeyQuery,
  createTicketBody,
  createUploadBody,
  emailParam,
  historyQuery,
  limits,
  listTicketsQuery,
  reportQuery,
  searchQuery,
  ticketIdParam,
  updateTicketBody,
} from '#core/schemas';
import { functions, type FunctionDefinition } from './functions.ts';

/** Names of the manifest's functions that answer an HTTP route. */
export type RouteFunctionName = Extract<(typeof functions)[number], { trigger: { kind: 'http' } }>['name'];

type Schema = z.ZodType;

export interface RouteSchemas {
  /** Path parameters (an object schema whose keys are the path's `{param}`s). */
  readonly params?: Schema;
  readonly query?: Schema;
  /** A JSON body (agent routes). */
  readonly body?: Schema;
  /** An `application/x-www-form-urlencoded` body (the customer pages' forms). */
  readonly form?: Schema;
  /** The main answer. */
  readonly ok: { readonly status: 200 | 201 | 204 | 303; readonly description: string; readonly content?: 'json' | 'html' | 'json-or-csv' };
  /** A customer page's problem pages: the statuses its handler answers besides `ok` (customerPageProblems below). */
  readonly pages?: readonly CustomerProblemStatus[];
}

/** The problem pages customer routes answer, each as its handler means it. */
const customerPageProblems = {
  400: 'A page saying what is wrong (a malformed link, a field to correct)',
  404: 'A page saying the ticket is not there (erased, or never was)',
  409: 'A page saying the ticket is closed: the reply was not added',
  410: 'The link has expired, or the survey has closed',
  413: 'The form is too large',
  415: 'Not a form post',
  429: 'Too many posts from this address for now (Retry-After)',
} as const;
type CustomerProblemStatus = keyof typeof customerPageProblems;

/**
 * What each route parses and answers. The agent routes' schemas are those their
 * handler passes to agentRoute/adminRoute (checked by the test); the customer
 * pages' are those their form readers parse with.
 */
export const routeSchemas: Record<RouteFunctionName, RouteSchemas> = {
  CreateTicket: { body: createTicketBody, ok: { status: 201, description: 'The ticket opened (a replay with the same Idempotency-Key answers the same)', content: 'json' } },
  ListTickets: { query: listTicketsQuery, ok: { status: 200, description: 'A page of the queue: items and a cursor for the next page', content: 'json' } },
  GetTicket: { params: ticketIdParam, ok: { status: 200, description: 'The ticket with its messages and events; ETag carries its version', content: 'json' } },
  UpdateTicket: { params: ticketIdParam, body: updateTicketBody, ok: { status: 200, description: 'The ticket as changed; send the version read as If-Match or "version"', content: 'json' } },
  AddMessage: { params: ticketIdParam, body: addMessageBody, ok: { status: 201, description: 'The message added, the ticket, and how the mail went', content: 'json' } },
  CreateUpload: { params: ticketIdParam, body: createUploadBody, ok: { status: 201, description: 'A presigned PUT for the file, and the key to name in a reply', content: 'json' } },
  AttachmentLink: { params: ticketIdParam, query: attachmentKeyQuery, ok: { status: 200, description: 'A five-minute download link for one file of the ticket', content: 'json' } },
  CustomerTickets: { params: emailParam, query: historyQuery, ok: { status: 200, description: "A page of the requester's tickets", content: 'json' } },
  ListDepartments: { ok: { status: 200, description: 'The departments', content: 'json' } },
  Search: { query: searchQuery, ok: { status: 200, description: 'Tickets matching a number (#123), an email or subject words', content: 'json' } },
  Reports: { query: reportQuery, ok: { status: 200, description: 'The report for a range of days, as JSON or CSV', content: 'json-or-csv' } },
  ListAgents: { ok: { status: 200, description: 'The agents', content: 'json' } },
  ListCannedResponses: { ok: { status: 200, description: 'The canned responses the caller may use', content: 'json' } },
  AdminInviteAgent: { body: inviteAgentBody, ok: { status: 201, description: 'The agent invited', content: 'json' } },
  AdminGetAgent: { params: agentEmailParams, ok: { status: 200, description: 'One agent, with their sign-in status', content: 'json' } },
  AdminUpdateAgent: { params: agentEmailParams, body: updateAgentBody, ok: { status: 200, description: 'The agent as changed', content: 'json' } },
  AdminDisableAgent: { params: agentEmailParams, ok: { status: 200, description: 'The agent, disabled and signed out', content: 'json' } },
  AdminEnableAgent: { params: agentEmailParams, ok: { status: 200, description: 'The agent, enabled', content: 'json' } },
  AdminPutCannedResponse: { params: cannedResponseParams, body: cannedResponseBody, ok: { status: 200, description: 'The canned response (201 when new)', content: 'json' } },
  AdminDeleteCannedResponse: { params: cannedResponseParams, ok: { status: 204, description: 'Deleted (or already gone)' } },
  AdminAudit: { query: auditQuery, ok: { status: 200, description: 'A page of the audit of admin changes', content: 'json' } },
  EraseRequester: { body: erasureBody, ok: { status: 200, description: 'What was erased (counts)', content: 'json' } },
  SurveyRating: { params: z.strictObject({ token: z.string() }), ok: { status: 200, description: 'The rating page of a signed survey link', content: 'html' }, pages: [400, 404, 410] },
  SurveyComment: {
    // Read by hand in functions/app/survey-answer.ts (readSurveyForm), not by a zod schema: described here.
    form: z.strictObject({ token: z.string().min(1), rating: z.enum(['1', '2', '3', '4', '5']).optional(), comment: z.string().optional() }),
    ok: { status: 200, description: 'The thank-you page; the rating is recorded', content: 'html' },
    // A form too large or not a form is a 400 here: readSurveyForm reads it by hand. No throttle: the signed token limits it.
    pages: [400, 404, 410],
  },
  HelpForm: { ok: { status: 200, description: 'The web form', content: 'html' } },
  SubmitTicket: { form: helpFormSchema, ok: { status: 200, description: 'The thank-you page with the ticket number; the form again with errors on a 400', content: 'html' }, pages: [400, 413, 415, 429] },
  TicketStatus: { params: z.strictObject({ token: z.string() }), ok: { status: 200, description: 'The status page of a signed link', content: 'html' }, pages: [400, 404, 410] },
  StatusReply: { form: statusReplySchema, ok: { status: 303, description: 'Back to the status page, the reply added' }, pages: [400, 404, 409, 410, 413, 415] },
};

const errorSchema = {
  type: 'object',
  properties: {
    error: {
      type: 'object',
      properties: {
        code: { type: 'string', description: 'Stable, machine-readable (validation_failed, not_found, version_conflict, …)' },
        message: { type: 'string', description: 'For people: what is wrong and what to send instead' },
        details: { description: 'For validation_failed: the fields at fault, each with a message' },
      },
      required: ['code', 'message'],
    },
  },
  required: ['error'],
} as const;

/** A zod schema as JSON Schema 2020-12 (OpenAPI 3.1's dialect), on its input side: what a client sends. */
function jsonSchema(schema: Schema): Record<string, unknown> {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
}

function parametersOf(schema: Schema | undefined, where: 'path' | 'query') {
  if (!schema) return [];
  const s = jsonSchema(schema) as { properties?: Record<string, Record<string, unknown>>; required?: string[] };
  return Object.entries(s.properties ?? {}).map(([name, property]) => ({
    name,
    in: where,
    required: where === 'path' || (s.required ?? []).includes(name),
    schema: property,
  }));
}

const errorResponse = (description: string) => ({ description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } });
const pageResponse = (description: string) => ({ description, content: { 'text/html': { schema: { type: 'string' } } } });

function agentOperation(fn: FunctionDefinition, s: RouteSchemas) {
  const responses: Record<string, unknown> = {
    [s.ok.status]: {
      description: s.ok.description,
      ...(s.ok.content === 'json-or-csv' && { content: { 'application/json': { schema: { type: 'object' } }, 'text/csv': { schema: { type: 'string' } } } }),
      ...(s.ok.content === 'json' && { content: { 'application/json': { schema: { type: 'object' } } } }),
    },
    400: errorResponse('The input is not valid (validation_failed lists the fields at fault)'),
    401: errorResponse('No valid token, or the account is disabled'),
    403: errorResponse('The caller may not do this (another level, an admin action)'),
  };
  if (s.params) responses[404] = errorResponse('No such item, or not one the caller may see');
  if (fn.name === 'UpdateTicket') {
    responses[409] = errorResponse('The ticket changed since the version sent; `current` holds it');
    responses[428] = errorResponse('No version sent (If-Match or "version")');
  }
  if (s.body) {
    responses[413] = errorResponse(`The body is larger than ${limits.requestBytes} bytes`);
    responses[415] = errorResponse('The body is not application/json');
    responses[422] = errorResponse('The change breaks a rule of the desk');
  }
  responses[500] = errorResponse('Something went wrong on our side (no stack; a requestId to quote)');
  return {
    ...(s.body && { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(s.body) } } } }),
    responses,
    security: [{ cognitoJwt: [] }],
  };
}

function customerOperation(s: RouteSchemas) {
  const responses: Record<string, unknown> = {
    [s.ok.status]: s.ok.content === 'html' ? pageResponse(s.ok.description) : { description: s.ok.description },
  };
  for (const status of s.pages ?? []) responses[status] = pageResponse(customerPageProblems[status]);
  return {
    ...(s.form && { requestBody: { required: true, content: { 'application/x-www-form-urlencoded': { schema: jsonSchema(s.form) } } } }),
    responses,
    security: [],
  };
}

/** The OpenAPI 3.1 document of a manifest's HTTP routes. */
export function openApiDocument(manifest: readonly FunctionDefinition[] = functions, schemas: Record<string, RouteSchemas> = routeSchemas) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const fn of manifest) {
    if (fn.trigger.kind !== 'http') continue;
    const s = schemas[fn.name];
    if (!s) throw new Error(`${fn.name}: ${fn.trigger.method} ${fn.trigger.path} has no entry in routeSchemas (lib/definitions/openapi.ts)`);
    const agent = fn.trigger.auth === 'agent';
    (paths[fn.trigger.path] ??= {})[fn.trigger.method.toLowerCase()] = {
      operationId: fn.name,
      summary: fn.description,
      tags: [agent ? (fn.trigger.path.startsWith('/admin') ? 'admin' : 'agents') : 'customers'],
      parameters: [...parametersOf(s.params, 'path'), ...parametersOf(s.query, 'query')],
      ...(agent ? agentOperation(fn, s) : customerOperation(s)),
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Help desk API',
      version: '1',
      description:
        'The agents\' API (behind a Cognito JWT) and the customer pages (signed links and the web form; no sign-in). ' +
        'Generated from the function manifest and the zod schemas the handlers validate with (npm run openapi); do not edit by hand.',
    },
    servers: [{ url: '/', description: 'The HTTP API: the stack output ApiUrl, or apiUrl in local mode\'s endpoints.json' }],
    tags: [
      { name: 'agents', description: 'Tickets, queues, search and reports, for signed-in agents' },
      { name: 'admin', description: 'Agents, canned responses, audit and erasure, for admins' },
      { name: 'customers', description: 'Pages customers open from our mail, and the web form' },
    ],
    paths,
    components: {
      securitySchemes: {
        cognitoJwt: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: "A Cognito ID token of an agent (the user pool's app client); in local mode, `npm run token -- <email>`" },
      },
      schemas: { Error: errorSchema },
    },
  };
}

export type OpenApiDocument = ReturnType<typeof openApiDocument>;
