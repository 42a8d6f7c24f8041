import { describe, expect, it } from 'vitest';
import { formatDuration, NEAR_BREACH_MAX_MS, slaInfo, type SlaTicket } from '../../dashboard/src/sla.ts';
import { detectLanguage, dictionaries, languages, matchLanguage, t, tr } from '../../dashboard/src/i18n/index.ts';
import { en } from '../../dashboard/src/i18n/en.ts';
import { actionFor, isTyping, shortcuts } from '../../dashboard/src/shortcuts.ts';
import { agentLevel, decodeJwtPayload, idClaims } from '../../dashboard/src/jwt.ts';
import { backlogByLevel, csatBars, daysBetween, niceMax, NONE, OTHER, slaOverall, slaRows, volumeSeries } from '../../dashboard/src/report-data.ts';
import { activeStatuses, priorities, statuses } from '../../dashboard/src/types.ts';
import { statuses as serverStatuses, priorities as serverPriorities, allowedTransitions } from '../../functions/core/ticket.ts';
import { transitions } from '../../dashboard/src/types.ts';

const NOW = Date.parse('2026-03-10T12:00:00Z');
const iso = (offsetMs: number) => new Date(NOW + offsetMs).toISOString();
const H = 3_600_000;
const M = 60_000;

function ticket(over: Partial<SlaTicket> = {}): SlaTicket {
  return {
    status: 'open',
    createdAt: iso(-2 * H),
    firstResponseDueAt: iso(2 * H),
    resolutionDueAt: iso(22 * H),
    dueAt: iso(2 * H),
    levelDueAt: iso(6 * H),
    slaPausedAt: null,
    ...over,
  };
}

describe('SLA countdown and badges', () => {
  it('counts down to the nearer of the SLA deadline and the level deadline', () => {
    expect(slaInfo(ticket(), NOW)).toEqual({ tone: 'ok', deadline: iso(2 * H), which: 'response', remainingMs: 2 * H });
    expect(slaInfo(ticket({ levelDueAt: iso(1 * H) }), NOW)).toMatchObject({ which: 'level', remainingMs: H, tone: 'ok' });
    // After the first response, dueAt is the resolution deadline.
    expect(slaInfo(ticket({ firstRespondedAt: iso(-H), dueAt: iso(20 * H), levelDueAt: null }), NOW)).toMatchObject({ which: 'resolution', remainingMs: 20 * H });
    // Without dueAt the stored deadlines still count.
    expect(slaInfo(ticket({ dueAt: null, levelDueAt: null }), NOW)).toMatchObject({ which: 'response', remainingMs: 2 * H });
  });

  it('warns in the last quarter of the time given, at most the last 30 minutes', () => {
    // 4 h given, 2 h left: fine; 29 min left: near; 31 min left: still fine (30-minute cap).
    expect(slaInfo(ticket({ dueAt: iso(29 * M) }), NOW).tone).toBe('near');
    expect(slaInfo(ticket({ dueAt: iso(31 * M) }), NOW).tone).toBe('ok');
    // A short deadline (urgent, 15 min from creation): near in its last quarter (3.75 min).
    const urgent = ticket({ createdAt: iso(-12 * M), dueAt: iso(3 * M), levelDueAt: null });
    expect(slaInfo(urgent, NOW).tone).toBe('near');
    expect(slaInfo({ ...urgent, dueAt: iso(5 * M) }, NOW).tone).toBe('ok');
    expect(NEAR_BREACH_MAX_MS).toBe(30 * M);
  });

  it('is breached once the deadline has passed, and says by how much', () => {
    const info = slaInfo(ticket({ dueAt: iso(-90 * M) }), NOW);
    expect(info).toMatchObject({ tone: 'breached', remainingMs: -90 * M });
    expect(formatDuration(info.remainingMs!)).toBe('1h 30m');
    expect(slaInfo(ticket({ dueAt: iso(0) }), NOW).tone).toBe('breached');
  });

  it('pauses while pending on the customer and stops once resolved or closed', () => {
    expect(slaInfo(ticket({ slaPausedAt: iso(-H), status: 'pending', dueAt: iso(-H) }), NOW)).toEqual({ tone: 'paused' });
    expect(slaInfo(ticket({ status: 'resolved', dueAt: iso(-H) }), NOW)).toEqual({ tone: 'done' });
    expect(slaInfo(ticket({ status: 'closed' }), NOW)).toEqual({ tone: 'done' });
    expect(slaInfo(ticket({ dueAt: null, levelDueAt: null, firstResponseDueAt: 'not a date' }), NOW)).toEqual({ tone: 'none' });
  });

  it('formats durations compactly', () => {
    expect(formatDuration(0)).toBe('0s');
    expect(formatDuration(45_000)).toBe('45s');
    expect(formatDuration(7 * M + 5_000)).toBe('7m 05s');
    expect(formatDuration(42 * M + 30_000)).toBe('42m');
    expect(formatDuration(3 * H + 12 * M)).toBe('3h 12m');
    expect(formatDuration(3 * H)).toBe('3h');
    expect(formatDuration(52 * H)).toBe('2d 4h');
    expect(formatDuration(-48 * H)).toBe('2d');
  });
});

describe('languages', () => {
  const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

  it('has every key in both languages, none empty, with the same {params}', () => {
    const keys = Object.keys(en).sort();
    for (const lang of languages) {
      const dict = dictionaries[lang] as Record<string, string>;
      expect(Object.keys(dict).sort(), lang).toEqual(keys);
      for (const key of keys) {
        expect(dict[key]!.trim(), `${lang} ${key}`).not.toBe('');
        expect(placeholders(dict[key]!), `${lang} ${key}`).toEqual(placeholders((en as Record<string, string>)[key]!));
      }
    }
  });

  it('really translates: Portuguese differs from English except for names and shared words', () => {
    const pt = dictionaries['pt-BR'] as Record<string, string>;
    const same = Object.keys(en).filter((k) => pt[k] === (en as Record<string, string>)[k]);
    // Words both languages use (SLA, Spam, Normal, Chat, Total, Hardware...): a short list, not a forgotten file.
    expect(same.length).toBeLessThan(15);
  });

  it('names every status, priority, shortcut and audit action the app can show', () => {
    for (const lang of languages) {
      const dict = dictionaries[lang] as Record<string, string>;
      for (const s of statuses) expect(dict[`status.${s}`], s).toBeTruthy();
      for (const p of priorities) expect(dict[`priority.${p}`], p).toBeTruthy();
      for (const s of shortcuts) expect(dict[`shortcut.${s.action}`], s.action).toBeTruthy();
      for (const a of ['ticket.created', 'ticket.updated', 'message.added', 'mail.received', 'mail.bounced', 'ticket.triaged', 'ticket.escalated', 'sla.breached', 'ticket.auto_resolved', 'ticket.closed', 'survey.sent', 'survey.rated']) {
        expect(dict[`audit.action.${a}`], a).toBeTruthy();
      }
    }
  });

  it('fills params and falls back visibly', () => {
    expect(t('ticket.levelN', { level: 2 }, 'en')).toBe('Level 2');
    expect(t('ticket.levelN', { level: 2 }, 'pt-BR')).toBe('Nível 2');
    expect(t('ticket.levelN', {}, 'en')).toBe('Level {level}');
    expect(tr('status', 'on_hold', 'pt-BR')).toBe('Em espera');
    expect(tr('category', 'made-up', 'en')).toBe('made-up');
    expect(tr('status', null, 'en')).toBe('—');
  });

  it("uses the agent's choice, then the browser's languages, then the desk default", () => {
    expect(matchLanguage('pt')).toBe('pt-BR');
    expect(matchLanguage('pt-PT')).toBe('pt-BR');
    expect(matchLanguage('en-GB')).toBe('en');
    expect(matchLanguage('fr')).toBeUndefined();
    expect(detectLanguage({ browser: ['pt-BR', 'en-US'] })).toBe('pt-BR');
    expect(detectLanguage({ browser: ['fr-FR', 'en-US', 'pt-BR'] })).toBe('en');
    expect(detectLanguage({ stored: 'en', browser: ['pt-BR'] })).toBe('en');
    expect(detectLanguage({ browser: ['de'], fallback: 'pt-BR' })).toBe('pt-BR');
    expect(detectLanguage({})).toBe('en');
  });
});

describe('keyboard shortcuts', () => {
  it('maps keys per screen, with global ones everywhere', () => {
    expect(actionFor({ key: 'j' }, 'queue')).toBe('next');
    expect(actionFor({ key: 'k' }, 'queue')).toBe('prev');
    expect(actionFor({ key: 'o' }, 'queue')).toBe('open');
    expect(actionFor({ key: 'Enter', targetTag: 'BODY' }, 'queue')).toBe('open');
    expect(actionFor({ key: 'r' }, 'ticket')).toBe('reply');
    expect(actionFor({ key: 'n' }, 'ticket')).toBe('note');
    expect(actionFor({ key: 'a' }, 'ticket')).toBe('assignMe');
    expect(actionFor({ key: 'e' }, 'ticket')).toBe('escalate');
    expect(actionFor({ key: '/' }, 'ticket')).toBe('search');
    expect(actionFor({ key: '?' }, 'queue')).toBe('help');
    expect(actionFor({ key: 'r' }, 'queue')).toBeUndefined();
    expect(actionFor({ key: 'j' }, 'global')).toBeUndefined();
  });

  it('stays out of the way while typing, with modifiers, and for Enter on links and buttons', () => {
    expect(actionFor({ key: 'j', targetTag: 'TEXTAREA' }, 'queue')).toBeUndefined();
    expect(actionFor({ key: 'r', targetTag: 'INPUT', targetType: 'search' }, 'ticket')).toBeUndefined();
    expect(actionFor({ key: 'a', targetTag: 'DIV', targetEditable: true }, 'ticket')).toBeUndefined();
    expect(actionFor({ key: 'j', targetTag: 'SELECT' }, 'queue')).toBeUndefined();
    expect(actionFor({ key: 'r', ctrlKey: true }, 'ticket')).toBeUndefined();
    expect(actionFor({ key: 'k', metaKey: true }, 'queue')).toBeUndefined();
    expect(actionFor({ key: 'Enter', targetTag: 'A' }, 'queue')).toBeUndefined();
    expect(actionFor({ key: 'Enter', targetTag: 'BUTTON' }, 'queue')).toBeUndefined();
    // A checkbox is not a text field: shortcuts still work from it.
    expect(isTyping({ key: 'j', targetTag: 'INPUT', targetType: 'checkbox' })).toBe(false);
    expect(actionFor({ key: 'j', targetTag: 'INPUT', targetType: 'checkbox' }, 'queue')).toBe('next');
  });

  it('documents each key once per screen', () => {
    const seen = new Set<string>();
    for (const s of shortcuts) for (const k of s.keys) {
      const id = `${s.scope}:${k}`;
      expect(seen.has(id), id).toBe(false);
      seen.add(id);
    }
  });
});

describe('ID token claims', () => {
  const jwt = (payload: object) => `eyJhbGciOiJSUzI1NiJ9.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.sig`;

  it('reads email, groups and expiry', () => {
    const claims = idClaims(jwt({ email: 'ana@example.com', 'cognito:groups': ['agents-l2', 5], exp: 1_800_000_000, name: 'Ana' }));
    expect(claims).toEqual({ email: 'ana@example.com', name: 'Ana', groups: ['agents-l2'], expiresAt: 1_800_000_000_000 });
    expect(idClaims(jwt({ 'cognito:username': 'l1@x.example' })).email).toBe('l1@x.example');
    expect(decodeJwtPayload(jwt({ text: 'ação ✓' })).text).toBe('ação ✓');
    expect(() => decodeJwtPayload('nonsense')).toThrow();
    expect(() => decodeJwtPayload(`a.${Buffer.from('[1]').toString('base64url')}.c`)).toThrow();
  });

  it('knows the highest level a set of groups works at', () => {
    expect(agentLevel(['agents-l1'])).toBe(1);
    expect(agentLevel(['agents-l1', 'agents-l2'])).toBe(2);
    expect(agentLevel(['admins'])).toBe(3);
    expect(agentLevel(['customers'])).toBeUndefined();
  });
});

describe('report shaping', () => {
  const report = {
    from: '2026-03-01',
    to: '2026-03-03',
    volume: [
      { day: '2026-03-01', category: 'access', count: 3 },
      { day: '2026-03-01', category: 'network', count: 1 },
      { day: '2026-03-02', category: null, count: 2 },
      { day: '2026-03-03', category: 'access', count: 1 },
      { day: '2026-03-03', category: 'billing', count: 1 },
      { day: '2026-04-01', category: 'access', count: 9 },
    ],
    sla: [
      { priority: 'low' as const, level: 1 as const, met: 1, breached: 0 },
      { priority: 'urgent' as const, level: 2 as const, met: 0, breached: 0 },
      { priority: 'urgent' as const, level: 1 as const, met: 3, breached: 1 },
    ],
    backlog: [
      { level: 1 as const, status: 'new' as const, count: 4 },
      { level: 1 as const, status: 'open' as const, count: 2 },
      { level: 3 as const, status: 'on_hold' as const, count: 1 },
    ],
    csat: { count: 4, average: 4.25, distribution: { '5': 2, '4': 1, '3': 1 } },
  };

  it('spreads volume over every day of the period, biggest categories first, the rest as other', () => {
    expect(daysBetween('2026-03-01', '2026-03-03')).toEqual(['2026-03-01', '2026-03-02', '2026-03-03']);
    expect(daysBetween('2026-03-03', '2026-03-01')).toEqual([]);
    const { days, series } = volumeSeries(report, 3);
    expect(days).toHaveLength(3);
    expect(series.map((s) => s.key)).toEqual(['access', NONE, OTHER]);
    expect(series[0]!.values).toEqual([3, 0, 1]);
    expect(series[1]!.values).toEqual([0, 2, 0]);
    expect(series[2]!.values).toEqual([1, 0, 1]);
    // A day outside the period is not drawn.
    expect(series.reduce((n, s) => n + s.total, 0)).toBe(8);
  });

  it('orders SLA rows by priority then level, with a compliance share', () => {
    const rows = slaRows(report);
    expect(rows.map((r) => `${r.priority}/${r.level}`)).toEqual(['urgent/1', 'urgent/2', 'low/1']);
    expect(rows[0]!.rate).toBe(0.75);
    expect(rows[1]!.rate).toBeNull();
    expect(slaOverall(report)).toBe(0.8);
    expect(slaOverall({ sla: [] })).toBeNull();
  });

  it('sums the backlog per level and the CSAT distribution', () => {
    const backlog = backlogByLevel(report);
    expect(backlog.map((b) => b.total)).toEqual([6, 0, 1]);
    expect(backlog[0]!.counts).toEqual({ new: 4, open: 2, pending: 0, on_hold: 0 });
    const bars = csatBars(report);
    expect(bars.map((b) => b.count)).toEqual([0, 0, 1, 1, 2]);
    expect(bars[4]!.share).toBe(0.5);
  });

  it('rounds chart axes up to 1, 2 or 5 × 10^n', () => {
    expect([0, 1, 3, 7, 12, 51, 180].map(niceMax)).toEqual([1, 1, 5, 10, 20, 100, 200]);
  });
});

describe('the dashboard agrees with the server', () => {
  it('knows the same statuses, priorities and status changes', () => {
    expect([...statuses]).toEqual([...serverStatuses]);
    expect([...priorities]).toEqual([...serverPriorities]);
    for (const s of statuses) expect([...transitions[s]], s).toEqual([...allowedTransitions(s)]);
    expect(activeStatuses).toEqual(['new', 'open', 'pending', 'on_hold']);
  });
});
