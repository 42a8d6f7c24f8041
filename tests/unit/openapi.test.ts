/**
 * The OpenAPI document (lib/definitions/openapi.ts → docs/openapi.json) cannot
 * drift: the committed file is the generator's output, it is a sound OpenAPI
 * 3.1 document, it has every route of the manifest with the right security, each
 * agent handler parses with exactly the schemas its manifest entry names, and a
 * new route is one manifest entry: the document follows it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { environmentOf, functions, runtimeVariables, type DeploymentValues, type FunctionDefinition } from '../../lib/definitions/functions.ts';
import { openApiDocument } from '../../lib/definitions/openapi.ts';
import { helpFormSchema, statusReplySchema, surveyFormSchema } from '../../functions/core/customer-forms.ts';
import { searchQuery, ticketIdParam, updateTicketBody } from '../../functions/core/schemas.ts';
import { openApiPath, openApiText } from '../../scripts/openapi.ts';

const doc = openApiDocument();
const httpFunctions = functions.filter((fn) => fn.trigger.kind === 'http');
/** A route's `api`, by manifest name. */
const apiOf = (name: string) => {
  const fn = functions.find((f) => f.name === name)!;
  if (fn.trigger.kind !== 'http') throw new Error(`${name} is not a route`);
  return fn.trigger.api as { params?: unknown; query?: unknown; body?: unknown; textBody?: unknown; form?: unknown };
};
type Operation = { operationId: string; parameters: { name: string; in: string; required: boolean; schema: object }[]; requestBody?: { content: Record<string, { schema: object }> }; responses: Record<string, { description?: string; content?: Record<string, { schema: { $ref?: string } }> }>; security: Record<string, string[]>[] };
const operations = Object.entries(doc.paths).flatMap(([path, byMethod]) => Object.entries(byMethod).map(([method, op]) => ({ path, method, op: op as Operation })));

/** Every structural rule of OpenAPI 3.1 this document relies on, checked without a network or a validator package. */
function problemsOf(d: any): string[] {
  const problems: string[] = [];
  if (!/^3\.1\.\d+$/.test(d.openapi)) problems.push(`openapi is ${d.openapi}, not 3.1.x`);
  if (typeof d.info?.title !== 'string' || typeof d.info?.version !== 'string') problems.push('info needs a title and a version');
  if (typeof d.paths !== 'object') problems.push('no paths');
  const ids = new Set<string>();
  const refs: string[] = [];
  const collectRefs = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(collectRefs);
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) k === '$ref' ? refs.push(String(x)) : collectRefs(x);
  };
  collectRefs(d);
  for (const ref of refs) {
    const target = ref.replace(/^#\//, '').split('/').reduce<any>((node, key) => node?.[key], d);
    if (!ref.startsWith('#/') || target === undefined) problems.push(`$ref ${ref} resolves to nothing`);
  }
  for (const [path, byMethod] of Object.entries<any>(d.paths ?? {})) {
    if (!path.startsWith('/')) problems.push(`${path}: paths start with /`);
    const templated = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
    for (const [method, op] of Object.entries<any>(byMethod)) {
      const where = `${method.toUpperCase()} ${path}`;
      if (!['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'].includes(method)) problems.push(`${where}: not an HTTP method`);
      if (ids.has(op.operationId)) problems.push(`${where}: operationId ${op.operationId} twice`);
      ids.add(op.operationId);
      const pathParams = (op.parameters ?? []).filter((p: any) => p.in === 'path').map((p: any) => p.name);
      if (JSON.stringify([...pathParams].sort()) !== JSON.stringify([...templated].sort())) problems.push(`${where}: path parameters ${pathParams} do not match the template ${templated}`);
      for (const p of op.parameters ?? []) {
        if (!['path', 'query', 'header', 'cookie'].includes(p.in)) problems.push(`${where}: parameter ${p.name} in ${p.in}`);
        if (p.in === 'path' && p.required !== true) problems.push(`${where}: path parameter ${p.name} must be required`);
        if (typeof p.schema !== 'object') problems.push(`${where}: parameter ${p.name} has no schema`);
      }
      const seen = new Set((op.parameters ?? []).map((p: any) => `${p.in}:${p.name}`));
      if (seen.size !== (op.parameters ?? []).length) problems.push(`${where}: a parameter twice`);
      if (op.requestBody && Object.keys(op.requestBody.content ?? {}).length === 0) problems.push(`${where}: a request body without content`);
      const statuses = Object.keys(op.responses ?? {});
      if (statuses.length === 0) problems.push(`${where}: no responses`);
      for (const status of statuses) {
        if (!/^([1-5]\d\d|[1-5]XX|default)$/.test(status)) problems.push(`${where}: response key ${status}`);
        if (typeof op.responses[status].description !== 'string') problems.push(`${where}: response ${status} has no description`);
      }
      for (const requirement of op.security ?? []) for (const scheme of Object.keys(requirement)) if (!d.components?.securitySchemes?.[scheme]) problems.push(`${where}: security scheme ${scheme} is not defined`);
    }
  }
  for (const [name, scheme] of Object.entries<any>(d.components?.securitySchemes ?? {})) {
    if (!['apiKey', 'http', 'mutualTLS', 'oauth2', 'openIdConnect'].includes(scheme.type)) problems.push(`securityScheme ${name}: type ${scheme.type}`);
  }
  return problems;
}

describe('the OpenAPI document', () => {
  it('docs/openapi.json is the generator\'s output (run `npm run openapi` after changing a route or a schema)', () => {
    expect(readFileSync(openApiPath, 'utf8')).toBe(openApiText());
  });

  it('is a sound OpenAPI 3.1 document', () => {
    expect(problemsOf(doc)).toEqual([]);
    expect(Object.keys(doc.paths)).toContain('/tickets/{id}');
    // The check itself catches what it is for.
    const broken = structuredClone(doc) as any;
    broken.openapi = '3.0.3';
    broken.paths['/tickets/{id}'].get.parameters = [];
    broken.paths['/tickets'].post.responses['400'].content['application/json'].schema.$ref = '#/components/schemas/Nope';
    expect(problemsOf(broken)).toEqual([
      'openapi is 3.0.3, not 3.1.x',
      '$ref #/components/schemas/Nope resolves to nothing',
      'GET /tickets/{id}: path parameters  do not match the template id',
    ]);
  });

  it('has every HTTP route of the manifest once, agents behind the Cognito JWT and customers without one', () => {
    expect(operations.map((o) => o.op.operationId).sort()).toEqual(httpFunctions.map((fn) => fn.name).sort());
    for (const fn of httpFunctions) {
      if (fn.trigger.kind !== 'http') continue;
      const found = operations.find((o) => o.op.operationId === fn.name)!;
      expect(`${found.method.toUpperCase()} ${found.path}`).toBe(`${fn.trigger.method} ${fn.trigger.path}`);
      expect(found.op.security, fn.name).toEqual(fn.trigger.auth === 'agent' ? [{ cognitoJwt: [] }] : []);
    }
  });

  it('documents the error shape: every agent 4xx is JSON with a code and a message', () => {
    expect(doc.components.schemas.Error.properties.error.required).toEqual(['code', 'message']);
    for (const { op } of operations.filter((o) => o.op.security.length > 0)) {
      const fourxx = Object.entries(op.responses).filter(([status]) => status.startsWith('4'));
      expect(fourxx.length, op.operationId).toBeGreaterThanOrEqual(3);
      for (const [, r] of fourxx) expect(r.content!['application/json']!.schema.$ref).toBe('#/components/schemas/Error');
    }
  });

  it('carries the request schemas: a strict JSON body, query parameters, path parameters', () => {
    const path = (p: string) => doc.paths[p] as Record<string, unknown>;
    const create = path('/tickets').post as Operation;
    const body = create.requestBody!.content['application/json']!.schema as { required: string[]; additionalProperties: boolean };
    expect(body.required).toEqual(['requester', 'subject', 'body', 'channel']);
    expect(body.additionalProperties).toBe(false);
    const list = path('/tickets').get as Operation;
    expect(list.parameters.map((p) => `${p.in}:${p.name}`)).toEqual(expect.arrayContaining(['query:limit', 'query:cursor', 'query:status', 'query:assignee']));
    const form = path('/help').post as Operation;
    expect(Object.keys(form.requestBody!.content)).toEqual(['application/x-www-form-urlencoded']);
  });
});

describe('each handler parses with the schemas the document names', () => {
  const values: DeploymentValues = {
    tableName: 'helpdesk-openapi-test',
    mailBucket: 'mail-test',
    stateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:test',
    publicUrl: 'https://desk.example/',
    userPoolId: 'us-east-1_pool',
    deskName: 'Test desk',
    defaultLanguage: 'en',
    signingKey: { value: 'k'.repeat(40) },
    mail: { supportAddresses: ['support@desk.example'], fromAddress: 'support@desk.example' },
    closedTicketDays: 30,
  };
  const saved = { ...process.env };
  afterAll(() => {
    process.env = saved;
  });

  const agentRoutes = httpFunctions.filter((fn) => fn.trigger.kind === 'http' && fn.trigger.auth === 'agent');
  it.each(agentRoutes.map((fn) => [fn.name, fn] as const))('%s', async (_name, fn) => {
    // Loaded as Lambda loads it: with exactly the environment its needs bring, plus the runtime's.
    const runtime = Object.fromEntries(Object.entries(saved).filter(([k]) => (runtimeVariables as readonly string[]).includes(k) || k === 'PATH' || k === 'HOME'));
    process.env = { ...runtime, AWS_REGION: 'us-east-1', ...environmentOf(fn, values) };
    const mod = (await import(join('../../functions', fn.entry))) as { handler: { spec?: { body?: unknown; text?: unknown; query?: unknown; params?: unknown } } };
    const spec = mod.handler.spec;
    expect(spec, `${fn.entry} does not expose the schemas it parses with (agentRoute/adminRoute do)`).toBeDefined();
    const named = apiOf(fn.name);
    expect(spec!.body, 'body').toBe(named.body);
    expect(spec!.text, 'text body').toBe(named.textBody);
    expect(spec!.query, 'query').toBe(named.query);
    expect(spec!.params, 'path').toBe(named.params);
    // The first import loads the AWS SDK and middleware, seconds on a busy machine: a deadline against a hang, not a speed check.
  }, 60_000);

  it('the customer forms: each is read with the schema its manifest entry names', () => {
    const source = (file: string) => readFileSync(join(import.meta.dirname, '../..', file), 'utf8');
    const entry = (name: string) => source(`functions/${functions.find((f) => f.name === name)!.entry}`);
    const forms = source('functions/core/customer-forms.ts');
    expect(apiOf('SubmitTicket').form).toBe(helpFormSchema);
    expect(forms).toMatch(/export function checkHelpForm[\s\S]*?helpFormSchema\.safeParse/);
    expect(entry('SubmitTicket')).toContain('checkHelpForm(');
    expect(apiOf('StatusReply').form).toBe(statusReplySchema);
    expect(forms).toMatch(/export function checkStatusReply[\s\S]*?statusReplySchema\.safeParse/);
    expect(entry('StatusReply')).toContain('checkStatusReply(');
    expect(apiOf('SurveyComment').form).toBe(surveyFormSchema);
    expect(forms).toMatch(/export function checkSurveyForm[\s\S]*?surveyFormSchema\.safeParse/);
    expect(source('functions/app/survey-answer.ts')).toMatch(/export function readSurveyForm[\s\S]*?checkSurveyForm\(/);
    expect(entry('SurveyComment')).toContain('readSurveyForm(');
  });
});

describe('a route is one manifest entry', () => {
  // What "How to add a route" (docs/architecture.md) says to write, added to a copy of the manifest.
  const closeStale = {
    name: 'CloseStale',
    entry: 'api/close-stale.ts',
    description: 'Closes stale pending tickets',
    trigger: {
      kind: 'http',
      method: 'POST',
      path: '/tickets/{id}/close-stale',
      auth: 'agent',
      api: { params: ticketIdParam, query: searchQuery, body: updateTicketBody, ok: { status: 200, description: 'The ticket, closed', content: 'json' }, errors: { 409: 'Not stale' } },
    },
    needs: { table: { actions: 'readwrite' }, lifecycle: ['stop'] },
  } as const satisfies FunctionDefinition;

  it('shows up in the generated document with its schemas and its answers', () => {
    const before = openApiDocument([...functions]);
    expect(before.paths['/tickets/{id}/close-stale']).toBeUndefined();
    const copy = openApiDocument([...functions, closeStale]);
    expect(problemsOf(copy)).toEqual([]);
    const op = (copy.paths['/tickets/{id}/close-stale'] as Record<string, Operation>).post!;
    expect(op.operationId).toBe('CloseStale');
    expect(op.security).toEqual([{ cognitoJwt: [] }]);
    expect(op.parameters.map((p) => `${p.in}:${p.name}`)).toEqual(['path:id', ...Object.keys(searchQuery.shape).map((k) => `query:${k}`)]);
    const updateBody = (doc.paths['/tickets/{id}'] as Record<string, Operation>).patch!.requestBody!.content['application/json']!.schema;
    expect(op.requestBody!.content['application/json']!.schema).toEqual(updateBody);
    expect(Object.keys(op.responses).sort()).toEqual(['200', '400', '401', '403', '404', '409', '413', '415', '422', '500']);
    expect(op.responses['409']!.description).toBe('Not stale');
    // The rest of the document is as it was.
    expect({ ...copy.paths, '/tickets/{id}/close-stale': undefined }).toEqual({ ...before.paths, '/tickets/{id}/close-stale': undefined });
  });

  it('a route without its api description does not compile (tsc checks the expectation below)', () => {
    const withoutApi: FunctionDefinition = {
      name: 'CloseStale',
      entry: 'api/close-stale.ts',
      description: 'Closes stale pending tickets',
      // @ts-expect-error an HTTP trigger needs its api
      trigger: { kind: 'http', method: 'POST', path: '/tickets/close-stale', auth: 'agent' },
      needs: { table: { actions: 'readwrite' } },
    };
    const agentWithAForm: FunctionDefinition = {
      ...withoutApi,
      // @ts-expect-error an agent route takes JSON, not a form
      trigger: { kind: 'http', method: 'POST', path: '/tickets/close-stale', auth: 'agent', api: { form: helpFormSchema, ok: { status: 200, description: 'x' } } },
    };
    expect(() => openApiDocument([withoutApi])).toThrow('CloseStale: POST /tickets/close-stale has no api description in the manifest');
    expect(agentWithAForm.trigger.kind).toBe('http');
  });
});
