/**
 * The HTTP route table. One source for both the CDK stack (one Lambda and one
 * HTTP API route per entry) and the local router, so the two can never drift.
 * Pure data: no CDK or AWS imports, so local mode can load it cheaply.
 */
export type RouteAuth = 'agent' | 'public';
export type TableAccess = 'none' | 'read' | 'readwrite';

export interface RouteDefinition {
  /** Logical name: used for the Lambda's construct id and in logs. */
  readonly name: string;
  readonly method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  /** API Gateway path syntax: `{param}` segments. */
  readonly path: string;
  /** Handler file, relative to `functions/`, exporting `handler`. */
  readonly entry: string;
  /** `agent` routes sit behind the Cognito JWT authorizer. */
  readonly auth: RouteAuth;
  /** What the function may do to the table; drives its IAM policy. */
  readonly table: TableAccess;
}

export const routes: readonly RouteDefinition[] = [
  { name: 'CreateTicket', method: 'POST', path: '/tickets', entry: 'api/create-ticket.ts', auth: 'agent', table: 'readwrite' },
  { name: 'ListTickets', method: 'GET', path: '/tickets', entry: 'api/list-tickets.ts', auth: 'agent', table: 'read' },
  { name: 'GetTicket', method: 'GET', path: '/tickets/{id}', entry: 'api/get-ticket.ts', auth: 'agent', table: 'read' },
  { name: 'UpdateTicket', method: 'PATCH', path: '/tickets/{id}', entry: 'api/update-ticket.ts', auth: 'agent', table: 'readwrite' },
  { name: 'AddMessage', method: 'POST', path: '/tickets/{id}/messages', entry: 'api/add-message.ts', auth: 'agent', table: 'readwrite' },
  { name: 'CreateUpload', method: 'POST', path: '/tickets/{id}/attachments', entry: 'api/create-upload.ts', auth: 'agent', table: 'read' },
  { name: 'AttachmentLink', method: 'GET', path: '/tickets/{id}/attachments', entry: 'api/attachment-link.ts', auth: 'agent', table: 'read' },
  { name: 'CustomerTickets', method: 'GET', path: '/customers/{email}/tickets', entry: 'api/customer-tickets.ts', auth: 'agent', table: 'read' },
  { name: 'ListDepartments', method: 'GET', path: '/departments', entry: 'api/list-departments.ts', auth: 'agent', table: 'read' },
  { name: 'Search', method: 'GET', path: '/search', entry: 'api/search.ts', auth: 'agent', table: 'read' },
  { name: 'Reports', method: 'GET', path: '/reports', entry: 'api/reports.ts', auth: 'agent', table: 'read' },
  { name: 'ListAgents', method: 'GET', path: '/agents', entry: 'api/list-agents.ts', auth: 'agent', table: 'read' },
  { name: 'ListCannedResponses', method: 'GET', path: '/canned-responses', entry: 'api/list-canned-responses.ts', auth: 'agent', table: 'read' },
  // Admins only (the handlers refuse other agents with a 403): agents in the user pool, canned responses, the audit of both.
  { name: 'AdminInviteAgent', method: 'POST', path: '/admin/agents', entry: 'api/admin-invite-agent.ts', auth: 'agent', table: 'readwrite' },
  { name: 'AdminGetAgent', method: 'GET', path: '/admin/agents/{email}', entry: 'api/admin-get-agent.ts', auth: 'agent', table: 'read' },
  { name: 'AdminUpdateAgent', method: 'PATCH', path: '/admin/agents/{email}', entry: 'api/admin-update-agent.ts', auth: 'agent', table: 'readwrite' },
  { name: 'AdminDisableAgent', method: 'POST', path: '/admin/agents/{email}/disable', entry: 'api/admin-disable-agent.ts', auth: 'agent', table: 'readwrite' },
  { name: 'AdminEnableAgent', method: 'POST', path: '/admin/agents/{email}/enable', entry: 'api/admin-enable-agent.ts', auth: 'agent', table: 'readwrite' },
  { name: 'AdminPutCannedResponse', method: 'PUT', path: '/admin/canned-responses/{id}', entry: 'api/admin-put-canned-response.ts', auth: 'agent', table: 'readwrite' },
  { name: 'AdminDeleteCannedResponse', method: 'DELETE', path: '/admin/canned-responses/{id}', entry: 'api/admin-delete-canned-response.ts', auth: 'agent', table: 'readwrite' },
  { name: 'AdminAudit', method: 'GET', path: '/admin/audit', entry: 'api/admin-audit.ts', auth: 'agent', table: 'read' },
  // Admins only: erases one requester's personal data from all their tickets (GDPR/LGPD); the counts stay.
  { name: 'EraseRequester', method: 'POST', path: '/admin/erasures', entry: 'api/erase-requester.ts', auth: 'agent', table: 'readwrite' },
  // Customers never sign in: these answer signed, expiring links from our mail.
  { name: 'SurveyRating', method: 'GET', path: '/survey/{token}', entry: 'public/survey-rating.ts', auth: 'public', table: 'readwrite' },
  { name: 'SurveyComment', method: 'POST', path: '/survey/comment', entry: 'public/survey-comment.ts', auth: 'public', table: 'readwrite' },
  // The web form that opens a ticket (throttled, with a honeypot), and the ticket status page behind the signed link in our mail.
  { name: 'HelpForm', method: 'GET', path: '/help', entry: 'public/help-form.ts', auth: 'public', table: 'none' },
  { name: 'SubmitTicket', method: 'POST', path: '/help', entry: 'public/submit-ticket.ts', auth: 'public', table: 'readwrite' },
  { name: 'TicketStatus', method: 'GET', path: '/status/{token}', entry: 'public/ticket-status.ts', auth: 'public', table: 'read' },
  { name: 'StatusReply', method: 'POST', path: '/status/reply', entry: 'public/status-reply.ts', auth: 'public', table: 'readwrite' },
];

/** Groups from `cognito:groups` that make a caller an agent. */
export const agentGroups = ['admins', 'agents-l1', 'agents-l2', 'agents-l3'] as const;
