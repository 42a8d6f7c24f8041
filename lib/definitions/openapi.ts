/**
 * The HTTP API as an OpenAPI 3.1 document, read from the function manifest alone:
 * each route's path, method and who may call it, and its `api` (the zod schemas its
 * handler validates with, its answer, the further errors or problem pages it answers),
 * so it cannot drift:
 * - the manifest's types make `api` part of every HTTP trigger: a route without it
 *   does not compile;
 * - tests/unit/openapi.test.ts checks that each agent handler parses with exactly
 *   the schemas its entry names, and that docs/openapi.json is this output
 *   (`npm run openapi` writes it).
 * Pure: no CDK or AWS imports.
 */
import { z } from 'zod';
import { limits } from '#core/schemas';
import { functions, type AgentRouteApi, type CustomerProblemStatus, type FunctionDefinition, type PageRouteApi } from './functions.ts';

/** The problem pages customer routes answer, each as its handler means it. */
const customerPageProblems: Record<CustomerProblemStatus, string> = {
  400: 'A page saying what is wrong (a malformed link, a field to correct)',
  404: 'A page saying the ticket is not there (erased, or never was)',
  409: 'A page saying the ticket is closed: the reply was not added',
  410: 'The link has expired, or the survey has closed',
  413: 'The form is too large',
  415: 'Not a form post',
  429: 'Too many posts from this address for now (Retry-After)',
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
function jsonSchema(schema: z.ZodType): Record<string, unknown> {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
}

function parametersOf(schema: z.ZodType | undefined, where: 'path' | 'query') {
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

function agentOperation(s: AgentRouteApi) {
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
  for (const [status, description] of Object.entries(s.errors ?? {})) responses[status] = errorResponse(description);
  if (s.textBody) {
    responses[413] ??= errorResponse(`The body is larger than ${s.textBody.maxBytes} bytes`);
    responses[415] ??= errorResponse(`The body is not ${s.textBody.types.join(', ')}`);
  }
  if (s.body) {
    responses[413] = errorResponse(`The body is larger than ${limits.requestBytes} bytes`);
    responses[415] = errorResponse('The body is not application/json');
    responses[422] = errorResponse('The change breaks a rule of the desk');
  }
  responses[500] = errorResponse('Something went wrong on our side (no stack; a requestId to quote)');
  return {
    ...(s.body && { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(s.body) } } } }),
    ...(s.textBody && {
      requestBody: { required: true, description: s.textBody.description, content: Object.fromEntries(s.textBody.types.map((t) => [t, { schema: { type: 'string' } }])) },
    }),
    responses,
    security: [{ cognitoJwt: [] }],
  };
}

function customerOperation(s: PageRouteApi) {
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
export function openApiDocument(manifest: readonly FunctionDefinition[] = functions) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const fn of manifest) {
    const { trigger } = fn;
    if (trigger.kind !== 'http') continue;
    // Only a manifest read at run time (a JSON copy) can lack it: the types require it.
    if (!trigger.api) throw new Error(`${fn.name}: ${trigger.method} ${trigger.path} has no api description in the manifest`);
    const agent = trigger.auth === 'agent';
    (paths[trigger.path] ??= {})[trigger.method.toLowerCase()] = {
      operationId: fn.name,
      summary: fn.description,
      tags: [agent ? (trigger.path.startsWith('/admin') ? 'admin' : 'agents') : 'customers'],
      parameters: [...parametersOf(trigger.api.params, 'path'), ...parametersOf(agent ? trigger.api.query : undefined, 'query')],
      ...(agent ? agentOperation(trigger.api) : customerOperation(trigger.api)),
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
