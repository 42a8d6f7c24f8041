/**
 * The function manifest: every Lambda of the desk, what starts it and what it needs.
 *
 * It is the one place a function is wired. From each entry:
 * - the CDK stack builds the function, its trigger, its environment and its IAM
 *   statements (lib/constructs/manifest-functions.ts);
 * - local mode runs the handler in its own worker with exactly the environment
 *   `environmentOf` gives it, and nothing else (local/function-host.ts);
 * - the handler reads a typed configuration built from the same needs, once at
 *   start-up (functions/shared/config.ts);
 * - an HTTP route's `api` (the zod schemas its handler parses with, its answers)
 *   is its part of the OpenAPI document (./openapi.ts reads nothing else; `npm run
 *   openapi` writes docs/openapi.json); a route without one does not compile.
 *
 * So adding a function, a route included, is one entry here and one handler file
 * (docs/architecture.md, How to add a route).
 * Pure data and pure functions: no CDK or AWS imports (local mode and the
 * functions' bundles load it). The schemas come from functions/core, pure modules
 * most handlers import anyway: a bundle grows by the other routes' schemas, a few KB.
 */
import type { ZodType } from 'zod';
import { agentEmailParams, auditQuery, cannedResponseBody, cannedResponseParams, inviteAgentBody, updateAgentBody } from '#core/admin';
import { helpFormSchema, linkTokenParams, statusReplySchema, surveyFormSchema } from '#core/customer-forms';
import { erasureBody } from '#core/erasure';
import { triageImportBody } from '#core/triage-import';
import {
  addMessageBody,
  attachmentKeyQuery,
  createTicketBody,
  createUploadBody,
  emailParam,
  historyQuery,
  listTicketsQuery,
  reportQuery,
  searchQuery,
  ticketIdParam,
  updateTicketBody,
} from '#core/schemas';

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
export type RouteAuth = 'agent' | 'public';

/** A route's main answer. */
export interface RouteAnswer {
  readonly status: 200 | 201 | 204 | 303;
  readonly description: string;
  readonly content?: 'json' | 'html' | 'json-or-csv';
}

/**
 * An agent route's part of the API document: the very schemas its handler passes to
 * agentRoute/adminRoute (tests/unit/openapi.test.ts checks they are the same objects),
 * its answer, and the errors it answers beyond every agent route's (400, 401, 403 and
 * 500; 404 with path parameters; 413, 415 and 422 with a body).
 */
export interface AgentRouteApi {
  /** Path parameters: an object schema whose keys are the path's `{param}`s. */
  readonly params?: ZodType;
  readonly query?: ZodType;
  /** A JSON body. */
  readonly body?: ZodType;
  /** A body taken as text (a file), with its content types and size limit: the very object its handler passes as `text`. */
  readonly textBody?: { readonly types: readonly string[]; readonly maxBytes: number; readonly description: string };
  readonly ok: RouteAnswer;
  /** Further error answers (the JSON error shape), by status: what each means to the caller. */
  readonly errors?: Readonly<Record<number, string>>;
}

/** The problem pages a customer page may answer (./openapi.ts words each). */
export type CustomerProblemStatus = 400 | 404 | 409 | 410 | 413 | 415 | 429;

/** A customer page's part of the API document: the schema its form is read with, its answer and its problem pages. */
export interface PageRouteApi {
  readonly params?: ZodType;
  /** An `application/x-www-form-urlencoded` body. */
  readonly form?: ZodType;
  readonly ok: RouteAnswer;
  readonly pages?: readonly CustomerProblemStatus[];
}

/** What starts a function. */
export type Trigger =
  /** An HTTP API route behind the Cognito JWT authorizer, described for the API document. */
  | { readonly kind: 'http'; readonly method: HttpMethod; readonly path: string; readonly auth: 'agent'; readonly api: AgentRouteApi }
  /** A customer page: no sign-in (signed links, the web form). */
  | { readonly kind: 'http'; readonly method: HttpMethod; readonly path: string; readonly auth: 'public'; readonly api: PageRouteApi }
  /** An SQS queue of lib/definitions/resources.ts, reporting partial batch failures. */
  | { readonly kind: 'queue'; readonly queue: 'inboundMail' | 'deliveryEvents'; readonly batchSize: number; readonly maxConcurrency: number }
  /** An EventBridge schedule in AWS (cron, UTC); a timer in local mode. */
  | { readonly kind: 'schedule'; readonly cron: { readonly minute: string; readonly hour: string }; readonly everyHoursLocally: number }
  /** A Task state of state-machines/ticket-lifecycle.asl.json, named there by this substitution. */
  | { readonly kind: 'task'; readonly substitution: 'LifecycleFunctionArn' | 'AwaitSignalFunctionArn' }
  /** A CloudFormation custom resource, run at every deploy that changes its input; at start in local mode. */
  | { readonly kind: 'deploy' };

export type TableAction = 'GetItem' | 'BatchGetItem' | 'Query' | 'PutItem' | 'UpdateItem' | 'DeleteItem' | 'ConditionCheckItem' | 'BatchWriteItem';
/** Index names of lib/definitions/resources.ts. */
export type IndexName = 'queue' | 'status' | 'assignee' | 'requester' | 'history' | 'number';

/**
 * One IAM statement on the table. TransactWriteItems is authorised through the
 * Put/Update/ConditionCheck actions of its items. No function may Scan.
 */
export interface TableGrant {
  /** `read` and `readwrite` are the usual sets (tableActions below). */
  readonly actions: 'read' | 'readwrite' | readonly TableAction[];
  /** The indexes it may Query: all of them (the default when it may Query), some, or none. */
  readonly indexes?: 'all' | 'none' | readonly IndexName[];
  /** Only these partitions (dynamodb:LeadingKeys), for a function that keeps to a few. */
  readonly partitions?: readonly string[];
}

/** Key prefixes of the mail bucket (lib/definitions/resources.ts). */
export type MailPrefix = 'inbound' | 'attachments' | 'uploads' | 'models';

export type UserPoolAction =
  | 'AdminCreateUser'
  | 'AdminAddUserToGroup'
  | 'AdminRemoveUserFromGroup'
  | 'AdminGetUser'
  | 'AdminDisableUser'
  | 'AdminEnableUser'
  | 'AdminUserGlobalSignOut';

/** What a function uses. Each need brings its environment variables and its IAM statements, nothing else. */
export interface Needs {
  /** The table (TABLE_NAME): one grant, or several statements. */
  readonly table?: TableGrant | readonly TableGrant[];
  /** The ticket lifecycle: start executions, wake their waits, stop them (STATE_MACHINE_ARN for start and stop). */
  readonly lifecycle?: readonly ('start' | 'wake' | 'stop')[];
  /**
   * Sends mail through SES (MAIL_ENABLED; when mail is on, SUPPORT_ADDRESSES, FROM_ADDRESS,
   * SES_CONFIGURATION_SET and DEFAULT_LANGUAGE, and SES send on the identity). Mail carries
   * signed reply tokens, so this need brings the signing key too.
   */
  readonly mail?: true;
  /** The key that signs reply tokens and customer links (REPLY_TOKEN_SECRET_ARN; a value locally). */
  readonly signingKey?: true;
  /** The public base URL of the customer pages, for links in mail (PUBLIC_URL). */
  readonly publicUrl?: true;
  /** The desk's name, shown to customers (DESK_NAME). */
  readonly deskName?: true;
  /** The mail bucket (MAIL_BUCKET): object reads, writes and deletes under these prefixes. */
  readonly bucket?: { readonly read?: readonly MailPrefix[]; readonly write?: readonly MailPrefix[]; readonly delete?: readonly MailPrefix[] };
  /** The agents' user pool (USER_POOL_ID): exactly these admin calls on it. */
  readonly userPool?: readonly UserPoolAction[];
  /** The retention period of closed tickets (CLOSED_TICKET_DAYS). */
  readonly retention?: true;
}

export interface FunctionDefinition {
  /** Logical name: the construct id, the log and metric name. */
  readonly name: string;
  /** Handler file, relative to `functions/`, exporting `handler`. */
  readonly entry: string;
  readonly description: string;
  readonly trigger: Trigger;
  readonly needs: Needs;
  /** Built only when mail is on (a support domain is configured), or retention is set. */
  readonly onlyWhen?: 'mail' | 'retention';
  /** Default: functionDefaults.memoryMb. */
  readonly memoryMb?: number;
  /** Default: functionDefaults.timeoutSeconds. */
  readonly timeoutSeconds?: number;
}

/** A function's memory and timeout when its entry names none: the stack and local mode both use these. */
export const functionDefaults = { memoryMb: 512, timeoutSeconds: 10 } as const;

const read = { actions: 'read' } as const satisfies TableGrant;
const readwrite = { actions: 'readwrite' } as const satisfies TableGrant;
const agent = (method: HttpMethod, path: string, api: AgentRouteApi) => ({ kind: 'http', method, path, auth: 'agent', api }) as const;
const customer = (method: HttpMethod, path: string, api: PageRouteApi) => ({ kind: 'http', method, path, auth: 'public', api }) as const;
const json = (status: 200 | 201, description: string) => ({ status, description, content: 'json' }) as const;
const page = (description: string) => ({ status: 200, description, content: 'html' }) as const;

/** Seconds the inbound-mail function may run; its queue's visibility timeout is 6× this. */
export const inboundMailTimeoutSeconds = 30;
/** Seconds the delivery-events function may run; its queue's visibility timeout is 6× this. */
export const deliveryEventsTimeoutSeconds = 30;

export const functions = [
  // Agents: tickets.
  { name: 'CreateTicket', entry: 'api/create-ticket.ts', description: 'Opens a ticket for a caller (phone, walk-in)', trigger: agent('POST', '/tickets', { body: createTicketBody, ok: json(201, 'The ticket opened (a replay with the same Idempotency-Key answers the same)') }), needs: { table: readwrite, lifecycle: ['start'], bucket: { read: ['models'] } } },
  { name: 'ListTickets', entry: 'api/list-tickets.ts', description: 'Queue pages', trigger: agent('GET', '/tickets', { query: listTicketsQuery, ok: json(200, 'A page of the queue: items and a cursor for the next page') }), needs: { table: read } },
  { name: 'GetTicket', entry: 'api/get-ticket.ts', description: 'One ticket with its thread', trigger: agent('GET', '/tickets/{id}', { params: ticketIdParam, ok: json(200, 'The ticket with its messages and events; ETag carries its version') }), needs: { table: read } },
  // Changes wake the lifecycle; reopening starts it again; closing by hand stops it.
  {
    name: 'UpdateTicket',
    entry: 'api/update-ticket.ts',
    description: 'Status, assignee, priority, level, department',
    trigger: agent('PATCH', '/tickets/{id}', {
      params: ticketIdParam,
      body: updateTicketBody,
      ok: json(200, 'The ticket as changed; send the version read as If-Match or "version"'),
      errors: { 409: 'The ticket changed since the version sent; `current` holds it', 428: 'No version sent (If-Match or "version")' },
    }),
    needs: { table: readwrite, lifecycle: ['start', 'wake', 'stop'] },
  },
  // Replies name uploaded files; once mail is on, public replies go out by mail with them.
  { name: 'AddMessage', entry: 'api/add-message.ts', description: 'Replies and internal notes', trigger: agent('POST', '/tickets/{id}/messages', { params: ticketIdParam, body: addMessageBody, ok: json(201, 'The message added, the ticket, and how the mail went') }), needs: { table: readwrite, lifecycle: ['wake'], mail: true, deskName: true, bucket: { read: ['uploads'] } } },
  // Agents upload reply files straight to S3 with a presigned PUT (the URL carries this role's permission).
  { name: 'CreateUpload', entry: 'api/create-upload.ts', description: 'Presigned upload of a reply file', trigger: agent('POST', '/tickets/{id}/attachments', { params: ticketIdParam, body: createUploadBody, ok: json(201, 'A presigned PUT for the file, and the key to name in a reply') }), needs: { table: read, bucket: { write: ['uploads'] } } },
  // Five-minute download links for a ticket's files, from mail or from agents.
  { name: 'AttachmentLink', entry: 'api/attachment-link.ts', description: 'Presigned download of a ticket file', trigger: agent('GET', '/tickets/{id}/attachments', { params: ticketIdParam, query: attachmentKeyQuery, ok: json(200, 'A five-minute download link for one file of the ticket') }), needs: { table: read, bucket: { read: ['attachments', 'uploads'] } } },
  { name: 'CustomerTickets', entry: 'api/customer-tickets.ts', description: "A requester's history", trigger: agent('GET', '/customers/{email}/tickets', { params: emailParam, query: historyQuery, ok: json(200, "A page of the requester's tickets") }), needs: { table: read } },
  { name: 'ListDepartments', entry: 'api/list-departments.ts', description: 'Departments', trigger: agent('GET', '/departments', { ok: json(200, 'The departments') }), needs: { table: read } },
  { name: 'Search', entry: 'api/search.ts', description: 'Ticket search', trigger: agent('GET', '/search', { query: searchQuery, ok: json(200, 'Tickets matching a number (#123), an email or subject words') }), needs: { table: read } },
  { name: 'Reports', entry: 'api/reports.ts', description: 'Reports from counters kept at write time', trigger: agent('GET', '/reports', { query: reportQuery, ok: { status: 200, description: 'The report for a range of days, as JSON or CSV', content: 'json-or-csv' } }), needs: { table: read } },
  { name: 'ListAgents', entry: 'api/list-agents.ts', description: 'Agents', trigger: agent('GET', '/agents', { ok: json(200, 'The agents') }), needs: { table: read } },
  { name: 'ListCannedResponses', entry: 'api/list-canned-responses.ts', description: 'Canned responses', trigger: agent('GET', '/canned-responses', { ok: json(200, 'The canned responses the caller may use') }), needs: { table: read } },
  // Admins only (the handlers refuse other agents with a 403): agents in the user pool, canned responses, the audit of both.
  { name: 'AdminInviteAgent', entry: 'api/admin-invite-agent.ts', description: 'Invites an agent', trigger: agent('POST', '/admin/agents', { body: inviteAgentBody, ok: json(201, 'The agent invited') }), needs: { table: readwrite, userPool: ['AdminCreateUser', 'AdminAddUserToGroup'] } },
  { name: 'AdminGetAgent', entry: 'api/admin-get-agent.ts', description: 'One agent', trigger: agent('GET', '/admin/agents/{email}', { params: agentEmailParams, ok: json(200, 'One agent, with their sign-in status') }), needs: { table: read, userPool: ['AdminGetUser'] } },
  { name: 'AdminUpdateAgent', entry: 'api/admin-update-agent.ts', description: "An agent's groups and departments", trigger: agent('PATCH', '/admin/agents/{email}', { params: agentEmailParams, body: updateAgentBody, ok: json(200, 'The agent as changed') }), needs: { table: readwrite, userPool: ['AdminAddUserToGroup', 'AdminRemoveUserFromGroup'] } },
  { name: 'AdminDisableAgent', entry: 'api/admin-disable-agent.ts', description: 'Disables an agent and signs them out', trigger: agent('POST', '/admin/agents/{email}/disable', { params: agentEmailParams, ok: json(200, 'The agent, disabled and signed out') }), needs: { table: readwrite, userPool: ['AdminDisableUser', 'AdminUserGlobalSignOut'] } },
  { name: 'AdminEnableAgent', entry: 'api/admin-enable-agent.ts', description: 'Enables an agent', trigger: agent('POST', '/admin/agents/{email}/enable', { params: agentEmailParams, ok: json(200, 'The agent, enabled') }), needs: { table: readwrite, userPool: ['AdminEnableUser'] } },
  { name: 'AdminPutCannedResponse', entry: 'api/admin-put-canned-response.ts', description: 'Writes a canned response', trigger: agent('PUT', '/admin/canned-responses/{id}', { params: cannedResponseParams, body: cannedResponseBody, ok: json(200, 'The canned response (201 when new)') }), needs: { table: readwrite } },
  // The API's one plain DeleteItem: on the table, not its indexes, and only in the canned responses' partition.
  { name: 'AdminDeleteCannedResponse', entry: 'api/admin-delete-canned-response.ts', description: 'Deletes a canned response', trigger: agent('DELETE', '/admin/canned-responses/{id}', { params: cannedResponseParams, ok: { status: 204, description: 'Deleted (or already gone)' } }), needs: { table: [readwrite, { actions: ['DeleteItem'], indexes: 'none', partitions: ['CANNED'] }] } },
  { name: 'AdminAudit', entry: 'api/admin-audit.ts', description: 'The audit of admin changes', trigger: agent('GET', '/admin/audit', { query: auditQuery, ok: json(200, 'A page of the audit of admin changes') }), needs: { table: read } },
  // GDPR/LGPD erasure: deletes a requester's items and objects, and stops their open tickets' lifecycles; the counts stay.
  {
    name: 'EraseRequester',
    entry: 'api/erase-requester.ts',
    description: "Erases one requester's personal data",
    trigger: agent('POST', '/admin/erasures', { body: erasureBody, ok: json(200, 'What was erased (counts)') }),
    needs: { table: [readwrite, { actions: ['DeleteItem', 'BatchWriteItem'], indexes: 'none' }], bucket: { delete: ['inbound', 'attachments', 'uploads'] }, lifecycle: ['stop'] },
  },

  // The triage model learns from the tickets agents worked: retrained on demand here, daily by RetrainTriage; models kept under models/triage/.
  {
    name: 'AdminRetrainTriage',
    entry: 'api/admin-retrain-triage.ts',
    description: 'Retrains the triage model now; puts it in use if it beats the one in use',
    trigger: agent('POST', '/admin/triage/retrain', { ok: json(200, 'Whether a new model was put in use, its version, figures and examples') }),
    needs: { table: readwrite, bucket: { read: ['models'], write: ['models'] } },
    memoryMb: 1024,
    timeoutSeconds: 29,
  },
  // A history from another desk (JSON Lines): good lines stored once as labelled examples, then the same retrain, published only if it beats the rules too.
  {
    name: 'AdminImportTriageExamples',
    entry: 'api/admin-import-triage-examples.ts',
    description: 'Imports past tickets as triage examples and retrains; the model is put in use if it beats the rules and the one in use',
    trigger: agent('POST', '/admin/triage/examples', {
      textBody: triageImportBody,
      ok: json(200, 'Lines accepted and rejected (each bad line by number, with its reason), examples stored, and the model: published or not, version, and department right on held-out tickets for it, the model in use and the rules'),
      errors: { 413: 'The file is over the size or line limit: split it', 415: 'Not JSON Lines (application/x-ndjson, application/jsonl or text/plain)' },
    }),
    needs: { table: readwrite, bucket: { read: ['models'], write: ['models'] } },
    // Training is CPU-bound: 1769 MB is one full vCPU.
    memoryMb: 1769,
    timeoutSeconds: 29,
  },

  // Customers never sign in: these answer signed, expiring links from our mail, and the throttled web form.
  { name: 'SurveyRating', entry: 'public/survey-rating.ts', description: 'Satisfaction survey: the rating link', trigger: customer('GET', '/survey/{token}', { params: linkTokenParams, ok: page('The rating page of a signed survey link'), pages: [400, 404, 410] }), needs: { table: readwrite, signingKey: true, deskName: true, lifecycle: ['wake'] } },
  // Every problem with the form is the same 400 page (too large, not a form); no throttle: the signed token limits it.
  { name: 'SurveyComment', entry: 'public/survey-comment.ts', description: 'Satisfaction survey: the comment form', trigger: customer('POST', '/survey/comment', { form: surveyFormSchema, ok: page('The thank-you page; the rating is recorded'), pages: [400, 404, 410] }), needs: { table: readwrite, signingKey: true, deskName: true, lifecycle: ['wake'] } },
  { name: 'HelpForm', entry: 'public/help-form.ts', description: 'The web form', trigger: customer('GET', '/help', { ok: page('The web form') }), needs: { deskName: true } },
  // The ticket it opens is acknowledged by mail (with a signed status link) once mail is on.
  { name: 'SubmitTicket', entry: 'public/submit-ticket.ts', description: 'The web form opens a ticket', trigger: customer('POST', '/help', { form: helpFormSchema, ok: page('The thank-you page with the ticket number; the form again with errors on a 400'), pages: [400, 413, 415, 429] }), needs: { table: readwrite, lifecycle: ['start'], mail: true, deskName: true, publicUrl: true, bucket: { read: ['models'] } } },
  { name: 'TicketStatus', entry: 'public/ticket-status.ts', description: 'The ticket status page behind a signed link', trigger: customer('GET', '/status/{token}', { params: linkTokenParams, ok: page('The status page of a signed link'), pages: [400, 404, 410] }), needs: { table: read, signingKey: true, deskName: true } },
  { name: 'StatusReply', entry: 'public/status-reply.ts', description: 'A reply from the status page', trigger: customer('POST', '/status/reply', { form: statusReplySchema, ok: { status: 303, description: 'Back to the status page, the reply added' }, pages: [400, 404, 409, 410, 413, 415] }), needs: { table: readwrite, signingKey: true, deskName: true, lifecycle: ['wake'] } },

  // Inbound mail: SES → S3 + SNS → SQS → this. Claims are deleted when a send fails (DeleteItem).
  {
    name: 'InboundMail',
    entry: 'email/inbound-mail.ts',
    description: 'Inbound mail: SES notification from SQS to ticket',
    trigger: { kind: 'queue', queue: 'inboundMail', batchSize: 10, maxConcurrency: 5 },
    needs: {
      table: { actions: ['GetItem', 'BatchGetItem', 'Query', 'PutItem', 'UpdateItem', 'DeleteItem', 'ConditionCheckItem'] },
      bucket: { read: ['inbound', 'models'], write: ['attachments'] },
      mail: true,
      deskName: true,
      publicUrl: true,
      lifecycle: ['start', 'wake'],
    },
    memoryMb: 1024,
    timeoutSeconds: inboundMailTimeoutSeconds,
  },
  // Bounces and complaints of the mail we send, onto the ticket; every access by key, no index.
  {
    name: 'DeliveryEvents',
    entry: 'email/delivery-events.ts',
    description: 'SES delivery events (bounce, complaint) from SQS onto the ticket',
    trigger: { kind: 'queue', queue: 'deliveryEvents', batchSize: 10, maxConcurrency: 2 },
    needs: { table: { actions: ['BatchGetItem', 'GetItem', 'PutItem', 'UpdateItem'], indexes: 'none' } },
    onlyWhen: 'mail',
    memoryMb: 256,
    timeoutSeconds: deliveryEventsTimeoutSeconds,
  },

  // The ticket lifecycle's two Task states.
  {
    name: 'Lifecycle',
    entry: 'workflow/lifecycle.ts',
    description: 'Ticket lifecycle steps: triage, plans, SLA breaches, survey, closing',
    trigger: { kind: 'task', substitution: 'LifecycleFunctionArn' },
    needs: { table: readwrite, mail: true, deskName: true, publicUrl: true },
    timeoutSeconds: 30,
  },
  // Keeps the task token beside the ticket: the token item and the ticket item, by key.
  {
    name: 'AwaitSignal',
    entry: 'workflow/await-signal.ts',
    description: 'Ticket lifecycle waits: keeps the task token beside the ticket',
    trigger: { kind: 'task', substitution: 'AwaitSignalFunctionArn' },
    needs: { table: { actions: ['GetItem', 'PutItem'], indexes: 'none' }, lifecycle: ['wake'] },
  },

  // Retention: closed tickets found on the status index, deleted with what they own; report counters stay.
  {
    name: 'PurgeClosedTickets',
    entry: 'maintenance/purge-closed-tickets.ts',
    description: 'Retention: deletes tickets closed longer ago than the retention period',
    trigger: { kind: 'schedule', cron: { minute: '30', hour: '3' }, everyHoursLocally: 1 },
    needs: {
      table: [{ actions: ['Query'], indexes: ['status'] }, { actions: ['DeleteItem', 'BatchWriteItem'], indexes: 'none' }],
      bucket: { delete: ['inbound', 'attachments', 'uploads'] },
      retention: true,
    },
    onlyWhen: 'retention',
    timeoutSeconds: 300,
  },

  // The triage model, retrained daily on the last months' labelled tickets (by Query on their month partitions).
  {
    name: 'RetrainTriage',
    entry: 'maintenance/retrain-triage.ts',
    description: 'Retrains the triage model; puts it in use if it beats the one in use',
    trigger: { kind: 'schedule', cron: { minute: '15', hour: '4' }, everyHoursLocally: 6 },
    needs: {
      table: { actions: ['GetItem', 'Query', 'PutItem'], indexes: 'none' },
      bucket: { read: ['models'], write: ['models'] },
    },
    memoryMb: 1024,
    timeoutSeconds: 300,
  },

  // Deploy time: departments from cdk.json and, once each, the default canned responses.
  {
    name: 'DeskConfig',
    entry: 'deploy/desk-config.ts',
    description: 'Deploy time: makes the departments and default canned responses match cdk.json',
    trigger: { kind: 'deploy' },
    needs: { table: { actions: ['GetItem', 'PutItem', 'Query', 'UpdateItem'], indexes: 'none', partitions: ['DEPARTMENTS', 'CANNED', 'CONFIG'] } },
    timeoutSeconds: 120,
  },
] as const satisfies readonly FunctionDefinition[];

export type FunctionName = (typeof functions)[number]['name'];

/** The manifest entry of one function, by name. */
export function functionNamed(name: string, manifest: readonly FunctionDefinition[] = functions): FunctionDefinition {
  const fn = manifest.find((f) => f.name === name);
  if (!fn) throw new Error(`No function named ${name} in the manifest`);
  return fn;
}

/** The usual action sets. */
export const tableActions: Record<'read' | 'readwrite', readonly TableAction[]> = {
  read: ['GetItem', 'BatchGetItem', 'Query'],
  readwrite: ['GetItem', 'BatchGetItem', 'Query', 'PutItem', 'UpdateItem', 'ConditionCheckItem'],
};

/** A need's table statements, with action sets spelled out and the index default applied. */
export function tableGrantsOf(needs: Needs): { actions: readonly TableAction[]; indexes: 'all' | 'none' | readonly IndexName[]; partitions?: readonly string[] }[] {
  if (!needs.table) return [];
  const grants: readonly TableGrant[] = Array.isArray(needs.table) ? needs.table : [needs.table as TableGrant];
  return grants.map((g) => {
    const actions = typeof g.actions === 'string' ? tableActions[g.actions] : g.actions;
    return { actions, indexes: g.indexes ?? (actions.includes('Query') ? 'all' : 'none'), ...(g.partitions && { partitions: g.partitions }) };
  });
}

/**
 * The values a deployment gives the needs: CloudFormation tokens in the stack,
 * local endpoints and names in local mode.
 */
export interface DeploymentValues {
  readonly tableName: string;
  readonly mailBucket: string;
  readonly stateMachineArn: string;
  readonly publicUrl: string;
  readonly userPoolId: string;
  readonly deskName: string;
  readonly defaultLanguage: string;
  /** In AWS the secret's ARN (read at cold start); locally the value itself. */
  readonly signingKey: { readonly arn: string } | { readonly value: string };
  /** Absent when mail is off. */
  readonly mail?: { readonly supportAddresses: readonly string[]; readonly fromAddress: string; readonly configurationSet?: string };
  /** Absent when retention is off. */
  readonly closedTicketDays?: number;
}

/** The environment variables each need brings, for docs and for the configuration reader's checks. */
export const variablesOfNeed = {
  table: ['TABLE_NAME'],
  lifecycle: ['STATE_MACHINE_ARN'],
  mail: ['MAIL_ENABLED', 'SUPPORT_ADDRESSES', 'FROM_ADDRESS', 'SES_CONFIGURATION_SET', 'DEFAULT_LANGUAGE'],
  signingKey: ['REPLY_TOKEN_SECRET_ARN', 'REPLY_TOKEN_SECRET'],
  publicUrl: ['PUBLIC_URL'],
  deskName: ['DESK_NAME'],
  bucket: ['MAIL_BUCKET'],
  userPool: ['USER_POOL_ID'],
  retention: ['CLOSED_TICKET_DAYS'],
} as const satisfies Record<keyof Needs, readonly string[]>;

/**
 * Variables a function may read that no need brings: the runtime's. In AWS, Lambda
 * sets the AWS_* ones and the function construct sets the rest; local mode sets
 * them for every function, plus its own knobs (endpoints, path-style S3, the time
 * scale and policy overrides of `npm start -- --time-scale/--policy`, tracing and
 * metrics off). Nothing else is in a function's environment.
 */
export const runtimeVariables = [
  'AWS_REGION',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_LAMBDA_FUNCTION_NAME',
  'NODE_OPTIONS',
  'LOG_LEVEL',
  'POWERTOOLS_SERVICE_NAME',
  'POWERTOOLS_LOG_LEVEL',
  'POWERTOOLS_METRICS_NAMESPACE',
  'POWERTOOLS_METRICS_DISABLED',
  'POWERTOOLS_TRACE_ENABLED',
  // Local mode only.
  'AWS_ENDPOINT_URL_DYNAMODB',
  'AWS_ENDPOINT_URL_SQS',
  'AWS_ENDPOINT_URL_SNS',
  'AWS_ENDPOINT_URL_S3',
  'AWS_ENDPOINT_URL_SESV2',
  'AWS_ENDPOINT_URL_SFN',
  'AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER',
  'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED',
  'S3_FORCE_PATH_STYLE',
  'TIME_SCALE',
  'POLICY_OVERRIDES',
] as const;

/** A function's environment, from its needs alone. */
export function environmentOf(fn: FunctionDefinition, values: DeploymentValues): Record<string, string> {
  const { needs } = fn;
  const env: Record<string, string> = {};
  if (needs.table) env.TABLE_NAME = values.tableName;
  // Waking needs only the task token the wait kept; starting and stopping name the machine.
  if (needs.lifecycle?.some((a) => a !== 'wake')) env.STATE_MACHINE_ARN = values.stateMachineArn;
  if (needs.mail) {
    env.MAIL_ENABLED = values.mail ? 'true' : 'false';
    if (values.mail) {
      env.SUPPORT_ADDRESSES = values.mail.supportAddresses.join(',');
      env.FROM_ADDRESS = values.mail.fromAddress;
      if (values.mail.configurationSet !== undefined) env.SES_CONFIGURATION_SET = values.mail.configurationSet;
      env.DEFAULT_LANGUAGE = values.defaultLanguage;
    }
  }
  // Mail carries signed reply tokens: the mail need brings the key, but only when mail is on.
  if (needs.signingKey || (needs.mail && values.mail)) {
    if ('arn' in values.signingKey) env.REPLY_TOKEN_SECRET_ARN = values.signingKey.arn;
    else env.REPLY_TOKEN_SECRET = values.signingKey.value;
  }
  if (needs.publicUrl) env.PUBLIC_URL = values.publicUrl;
  if (needs.deskName) env.DESK_NAME = values.deskName;
  if (needs.bucket) env.MAIL_BUCKET = values.mailBucket;
  if (needs.userPool?.length) env.USER_POOL_ID = values.userPoolId;
  if (needs.retention && values.closedTicketDays !== undefined) env.CLOSED_TICKET_DAYS = String(values.closedTicketDays);
  return env;
}

/** Whether a function is built in a deployment with these options. */
export function isBuilt(fn: FunctionDefinition, options: { mail: boolean; retention: boolean }): boolean {
  return fn.onlyWhen === undefined || options[fn.onlyWhen];
}

/** Problems with a manifest (empty when sound): names, entries and routes unique, agent routes able to read rights. */
export function manifestProblems(manifest: readonly FunctionDefinition[]): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  const routesSeen = new Set<string>();
  for (const fn of manifest) {
    if (seen.has(fn.name)) problems.push(`${fn.name}: two functions have this name`);
    seen.add(fn.name);
    if (!/^[A-Z][A-Za-z0-9]*$/.test(fn.name)) problems.push(`${fn.name}: names are PascalCase (they become construct ids)`);
    if (!/^[a-z-]+\/[a-z0-9-]+\.ts$/.test(fn.entry)) problems.push(`${fn.name}: entry ${fn.entry} must be <folder>/<file>.ts under functions/`);
    if (fn.trigger.kind === 'http') {
      const key = `${fn.trigger.method} ${fn.trigger.path}`;
      if (routesSeen.has(key)) problems.push(`${fn.name}: ${key} is already a route`);
      routesSeen.add(key);
      // Every agent route first reads the caller's profile and the restricted departments.
      if (fn.trigger.auth === 'agent' && !fn.needs.table) problems.push(`${fn.name}: an agent route needs the table (it reads the caller's rights)`);
    }
    for (const g of tableGrantsOf(fn.needs)) if (g.actions.length === 0) problems.push(`${fn.name}: a table grant with no actions`);
  }
  return problems;
}

const problems = manifestProblems(functions);
if (problems.length > 0) throw new Error(`The function manifest is not sound:\n${problems.join('\n')}`);
