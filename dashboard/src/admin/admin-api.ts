import { request } from '../api.ts';
import type { CannedResponse } from '../types.ts';
import type { AgentLevel, AgentView, AuditRecord, ErasureResult } from './logic.ts';

const enc = encodeURIComponent;

/** The admin routes (README "The team, from the API"); each answers 403 to anyone not in `admins`. */
export const adminApi = {
  agent: (email: string, signal?: AbortSignal) => request<AgentView>('GET', `/admin/agents/${enc(email)}`, { signal }),
  invite: (body: { email: string; name: string; level: AgentLevel; admin: boolean; departments: string[] }) => request<AgentView>('POST', '/admin/agents', { body }),
  update: (email: string, body: { name?: string; level?: AgentLevel; admin?: boolean; departments?: string[] }) => request<AgentView>('PATCH', `/admin/agents/${enc(email)}`, { body }),
  disable: (email: string) => request<AgentView>('POST', `/admin/agents/${enc(email)}/disable`),
  enable: (email: string) => request<AgentView>('POST', `/admin/agents/${enc(email)}/enable`),
  putCanned: (id: string, body: Omit<CannedResponse, 'id'>) => request<CannedResponse>('PUT', `/admin/canned-responses/${enc(id)}`, { body }),
  deleteCanned: (id: string) => request<void>('DELETE', `/admin/canned-responses/${enc(id)}`),
  audit: (cursor?: string, limit = 50) => {
    const q = new URLSearchParams({ limit: String(limit) });
    if (cursor) q.set('cursor', cursor);
    return request<{ items: AuditRecord[]; nextCursor: string | null }>('GET', `/admin/audit?${q}`);
  },
  erase: (body: { email: string; reason?: string }) => request<ErasureResult>('POST', '/admin/erasures', { body }),
};
