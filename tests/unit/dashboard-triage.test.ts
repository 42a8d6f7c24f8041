import { describe, expect, it } from 'vitest';
import { correctionPatch, triageView } from '../../dashboard/src/triage-view.ts';
import type { Ticket, TriageRecord } from '../../dashboard/src/types.ts';

function ticket(triage: Partial<TriageRecord> | null, over: Partial<Ticket> = {}): Ticket {
  return {
    id: 't1',
    number: 1,
    subject: 's',
    status: 'open',
    priority: 'normal',
    level: 1,
    department: 'it',
    category: 'access',
    tags: [],
    assignee: null,
    requester: { email: 'a@example.com' },
    createdAt: '2026-03-04T12:00:00Z',
    firstResponseDueAt: '2026-03-04T16:00:00Z',
    resolutionDueAt: '2026-03-05T12:00:00Z',
    levelDueAt: null,
    dueAt: null,
    slaPausedAt: null,
    breaches: [],
    triage: triage === null ? null : { confidence: 0.82, dispatch: false, department: 'it', category: 'access', priority: 'normal', decidedBy: 'model', words: ['senha', 'vpn'], ...triage },
    version: 3,
    ...over,
  } as Ticket;
}

describe('the triage panel', () => {
  it('says who decided, what and why, and offers to accept a routed ticket', () => {
    expect(triageView(ticket({}))).toEqual({ decidedBy: 'model', department: 'it', category: 'access', priority: 'normal', confidence: 0.82, words: ['senha', 'vpn'], verdict: null, accept: 'accept' });
  });

  it('offers to route a dispatch ticket where triage suggested', () => {
    const v = triageView(ticket({ dispatch: true, decidedBy: 'nobody' }, { department: null }))!;
    expect(v.decidedBy).toBe('nobody');
    expect(v.accept).toBe('route');
  });

  it('reads a record from before the model as the rules’ (or nobody’s when dispatched)', () => {
    expect(triageView(ticket({ decidedBy: undefined }))!.decidedBy).toBe('rules');
    expect(triageView(ticket({ decidedBy: undefined, dispatch: true }, { department: null }))!.decidedBy).toBe('nobody');
  });

  it('offers no acceptance once judged, when moved elsewhere, closed, without a suggestion or chosen by hand', () => {
    expect(triageView(ticket({ review: { verdict: 'confirmed', at: '2026-03-05T00:00:00Z' } }))!.accept).toBeNull();
    expect(triageView(ticket({}, { department: 'billing' }))!.accept).toBeNull();
    expect(triageView(ticket({}, { status: 'closed' }))!.accept).toBeNull();
    expect(triageView(ticket({ department: null, dispatch: true }, { department: null }))!.accept).toBeNull();
    expect(triageView(ticket({}, { presetByAgent: ['department'] }))!.accept).toBeNull();
    expect(triageView(ticket(null))).toBeNull();
  });

  it('a correction sends only what differs from the ticket', () => {
    const tk = ticket({});
    expect(correctionPatch(tk, { department: 'billing', category: 'access', priority: 'normal' })).toEqual({ department: 'billing' });
    expect(correctionPatch(tk, { department: '', category: ' Billing ', priority: 'high' })).toEqual({ department: null, category: 'billing', priority: 'high' });
    expect(correctionPatch(tk, { department: 'it', category: 'access', priority: 'normal' })).toEqual({});
  });
});
