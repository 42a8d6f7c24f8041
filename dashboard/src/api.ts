import type { AppConfig } from './config.ts';
import { refreshSession, signOut, validToken } from './auth.ts';
import type { Agent, CannedResponse, Department, Message, Page, RecipientWarning, Report, Thread, Ticket } from './types.ts';

/**
 * The API client: Bearer ID token on every call, JSON in and out, and the
 * API's error shape `{error: {code, message, details?}}` turned into ApiError.
 * A 401 refreshes the token once and retries; a second 401 ends the session.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    /** On 409: the ticket as it is now. */
    readonly current?: Ticket,
  ) {
    super(message);
  }
}

let apiUrl = '';
export function configureApi(c: AppConfig) {
  apiUrl = c.apiUrl;
}

export interface RequestOptions {
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

async function send(method: string, path: string, opts: RequestOptions, token: string): Promise<Response> {
  const headers: Record<string, string> = { accept: 'application/json', authorization: `Bearer ${token}`, ...opts.headers };
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  return fetch(apiUrl + path, { method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body), signal: opts.signal ?? null, cache: 'no-store' });
}

export async function request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
  const res = await raw(method, path, opts);
  const text = await res.text();
  let data: any;
  try {
    data = text ? JSON.parse(text) : undefined;
  } catch {
    data = undefined;
  }
  if (!res.ok) {
    const e = data?.error;
    throw new ApiError(res.status, typeof e?.code === 'string' ? e.code : res.status === 404 ? 'not_found' : `http_${res.status}`, typeof e?.message === 'string' ? e.message : data?.message ?? res.statusText, e?.details, data?.current);
  }
  return data as T;
}

/** The response itself (for CSV), after the same token handling. */
export async function raw(method: string, path: string, opts: RequestOptions = {}): Promise<Response> {
  let token = await validToken();
  if (!token) throw new ApiError(401, 'session_expired', 'Your session has ended');
  let res: Response;
  try {
    res = await send(method, path, opts, token);
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new ApiError(0, 'network', 'The help desk could not be reached');
  }
  if (res.status === 401) {
    token = (await refreshSession())?.idToken ?? null;
    if (!token) throw new ApiError(401, 'session_expired', 'Your session has ended');
    res = await send(method, path, opts, token);
    if (res.status === 401) {
      signOut('expired');
      throw new ApiError(401, 'session_expired', 'Your session has ended');
    }
  }
  return res;
}

const qs = (params: Record<string, string | number | undefined | null>) => {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : '';
};

export interface QueueFilter {
  department?: string;
  level?: number;
  status?: string[];
  assignee?: string;
  requester?: string;
  spam?: boolean;
  limit?: number;
  cursor?: string;
}

export const api = {
  listTickets: (f: QueueFilter, signal?: AbortSignal) =>
    request<Page<Ticket>>(
      'GET',
      `/tickets${qs({ department: f.department, level: f.level, status: f.status?.join(','), assignee: f.assignee, requester: f.requester, spam: f.spam ? 'true' : undefined, limit: f.limit, cursor: f.cursor })}`,
      { signal },
    ),
  getThread: (id: string, signal?: AbortSignal) => request<Thread>('GET', `/tickets/${encodeURIComponent(id)}`, { signal }),
  updateTicket: (id: string, version: number, changes: Record<string, unknown>) =>
    request<Ticket>('PATCH', `/tickets/${encodeURIComponent(id)}`, { body: changes, headers: { 'if-match': `"${version}"` } }),
  addMessage: (id: string, body: { kind: 'reply' | 'note'; body: string; attachments?: { key: string }[] }) =>
    request<{ message: Message; ticket: Ticket; mail: { status: 'sent' | 'failed' | 'not-mailed' }; warnings?: RecipientWarning[] }>('POST', `/tickets/${encodeURIComponent(id)}/messages`, { body }),
  createUpload: (id: string, file: { filename: string; contentType: string; size: number }) =>
    request<{ key: string; filename: string; uploadUrl: string; method: string; headers: Record<string, string> }>('POST', `/tickets/${encodeURIComponent(id)}/attachments`, { body: file }),
  attachmentLink: (id: string, key: string) => request<{ url: string; filename: string }>('GET', `/tickets/${encodeURIComponent(id)}/attachments${qs({ key })}`),
  customerTickets: (email: string, limit = 10, signal?: AbortSignal) => request<Page<Ticket>>('GET', `/customers/${encodeURIComponent(email)}/tickets${qs({ limit })}`, { signal }),
  departments: () => request<{ items: Department[] }>('GET', '/departments'),
  agents: () => request<{ items: Agent[] }>('GET', '/agents'),
  cannedResponses: () => request<{ items: CannedResponse[] }>('GET', '/canned-responses'),
  search: (q: string, signal?: AbortSignal) => request<{ items: Ticket[] }>('GET', `/search${qs({ q })}`, { signal }),
  report: (from: string, to: string, signal?: AbortSignal) => request<Report>('GET', `/reports${qs({ from, to })}`, { signal }),
  reportCsv: (from: string, to: string) => raw('GET', `/reports${qs({ from, to, format: 'csv' })}`, { headers: { accept: 'text/csv' } }),
};

/** Cached lookups that rarely change within a session; a failure is remembered as such. */
const cache = new Map<string, Promise<unknown>>();
export function cached<T>(key: string, load: () => Promise<T>): Promise<T> {
  let p = cache.get(key) as Promise<T> | undefined;
  if (!p) {
    p = load();
    cache.set(key, p);
    // A network failure is worth retrying later; a 404 (route not there) is not.
    p.catch((err) => {
      if (!(err instanceof ApiError) || err.status === 0 || err.status >= 500 || err.status === 401) cache.delete(key);
    });
  }
  return p;
}
export const clearCache = () => cache.clear();
