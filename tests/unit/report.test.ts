import { describe, expect, it } from 'vitest';
import {
  buildReport,
  changeCounts,
  creationCounts,
  csvCell,
  InvalidReportRangeError,
  monthsOf,
  normalizeSubject,
  reportCsv,
  reportFilename,
  reportRange,
  type ReportCounters,
} from '../../functions/core/report.ts';
import { openTicket, updateTicket, type Actor } from '../../functions/core/ticket.ts';
import { autoResolve } from '../../functions/core/lifecycle.ts';
import { defaultPolicy, type Policy } from '../../functions/core/policy.ts';

const allDay: Policy = { ...defaultPolicy, alwaysOpenPriorities: ['urgent', 'high', 'normal', 'low'] };
const actor: Actor = { sub: 'sub-1', email: 'l1@helpdesk.local' };
const created = '2026-03-02T12:00:00.000Z';

function fresh(overrides: Record<string, unknown> = {}) {
  return openTicket({ requester: { email: 'ana@example.com' }, subject: 'Pedido 123 atrasado', body: 'Onde está?', channel: 'phone', priority: 'high', ...overrides }, 7, actor, created, allDay).ticket;
}

describe('normalizeSubject', () => {
  it('strips reply and forward prefixes and our [#123] tag, in any case and nesting', () => {
    expect(normalizeSubject('Re: Fwd: RES: ENC: [#123] VPN caiu')).toBe('vpn caiu');
    expect(normalizeSubject('RE[2]: fw: VPN caiu [#9]')).toBe('vpn caiu');
    expect(normalizeSubject('[#4521] Re: VPN caiu')).toBe('vpn caiu');
  });

  it('lower-cases, collapses spaces, and writes every number as #', () => {
    expect(normalizeSubject('  Pedido   12345\tatrasado  ')).toBe('pedido # atrasado');
    expect(normalizeSubject('Pedido 987 atrasado')).toBe(normalizeSubject('RE: pedido 12 ATRASADO'));
    expect(normalizeSubject('Erro 500 às 10:45')).toBe('erro # às #:#');
  });

  it('keeps at most 80 characters (whole characters, not UTF-16 halves)', () => {
    expect(normalizeSubject('á'.repeat(100))).toHaveLength(80);
    expect([...normalizeSubject('😀'.repeat(100))]).toHaveLength(80);
  });

  it('leaves nothing of a subject that is only a prefix', () => {
    expect(normalizeSubject('Re: [#12]')).toBe('');
  });

  it('keeps a subject that only starts like a prefix', () => {
    expect(normalizeSubject('Resumo do mês')).toBe('resumo do mês');
    expect(normalizeSubject('Encomenda perdida')).toBe('encomenda perdida');
  });
});

describe('counters a write moves', () => {
  it('a new ticket: its day and category, and its month and subject line', () => {
    // Under the ticket's department: reports show each agent only their departments' figures.
    expect(creationCounts(fresh({ category: 'orders', department: 'support' }))).toEqual([
      { report: 'volume', day: '2026-03-02', category: 'orders', by: 1, department: 'support' },
      { report: 'subjects', month: '2026-03', subject: 'pedido # atrasado', by: 1, department: 'support' },
    ]);
    expect(creationCounts(fresh())[0]).toMatchObject({ category: 'none' });
  });

  it('spam has no creation counts; toggling spam moves none (creation is counted once, when the ticket is indexed)', () => {
    const spam = { ...fresh(), spam: true };
    expect(creationCounts(spam)).toEqual([]);
    const released = updateTicket(spam, { spam: false }, actor, '2026-03-05T10:00:00.000Z', allDay).ticket;
    expect(changeCounts(spam, released)).toEqual([]);
    const t = fresh();
    const marked = updateTicket(t, { spam: true }, actor, '2026-03-05T10:00:00.000Z', allDay).ticket;
    expect(changeCounts(t, marked)).toEqual([]);
  });

  it('a resolution by the deadline is met, at the priority and level it has then', () => {
    const t = fresh();
    const resolved = updateTicket(t, { status: 'resolved' }, actor, '2026-03-02T15:00:00.000Z', allDay).ticket;
    expect(changeCounts(t, resolved)).toEqual([{ report: 'sla', day: '2026-03-02', priority: 'high', level: 1, met: true, department: null }]);
  });

  it('a resolution after the deadline is breached, counted on the day it happened', () => {
    const t = { ...fresh(), level: 2 as const };
    const late = updateTicket(t, { status: 'resolved' }, actor, '2026-03-04T01:00:00.000Z', allDay).ticket;
    expect(changeCounts(t, late)).toEqual([{ report: 'sla', day: '2026-03-04', priority: 'high', level: 2, met: false, department: null }]);
  });

  it('exactly at the deadline is met', () => {
    const t = fresh();
    const atDeadline = updateTicket(t, { status: 'resolved' }, actor, t.resolutionDueAt, allDay).ticket;
    expect(changeCounts(t, atDeadline)).toMatchObject([{ met: true }]);
  });

  it('the lifecycle\'s automatic resolution counts like an agent\'s', () => {
    const pending = updateTicket(fresh(), { status: 'pending' }, actor, '2026-03-02T13:00:00.000Z', allDay).ticket;
    const change = autoResolve(pending, '2026-03-09T13:00:00.000Z', allDay);
    // Pending paused the clock: a week later it is still within the deadline.
    expect(changeCounts(pending, change.ticket)).toEqual([{ report: 'sla', day: '2026-03-09', priority: 'high', level: 1, met: true, department: null }]);
  });

  it('other changes count nothing', () => {
    const t = fresh();
    expect(changeCounts(t, updateTicket(t, { status: 'open' }, actor, created, allDay).ticket)).toEqual([]);
    expect(changeCounts(t, updateTicket(t, { priority: 'low' }, actor, created, allDay).ticket)).toEqual([]);
    const resolved = updateTicket(t, { status: 'resolved' }, actor, created, allDay).ticket;
    expect(changeCounts(resolved, updateTicket(resolved, { status: 'closed' }, actor, created, allDay).ticket)).toEqual([]);
  });
});

describe('reportRange', () => {
  const today = '2026-11-22';
  it('defaults to the last 30 days, both ends included', () => {
    expect(reportRange(undefined, undefined, today)).toEqual({ from: '2026-10-24', to: '2026-11-22' });
    expect(reportRange(undefined, '2026-03-01', today)).toEqual({ from: '2026-01-31', to: '2026-03-01' });
    expect(reportRange('2026-11-01', undefined, today)).toEqual({ from: '2026-11-01', to: today });
    expect(reportRange('2026-12-01', undefined, today)).toEqual({ from: '2026-12-01', to: '2026-12-01' });
  });

  it('takes up to 366 days, leap years included', () => {
    expect(reportRange('2027-03-01', '2028-02-29', today)).toEqual({ from: '2027-03-01', to: '2028-02-29' });
    expect(() => reportRange('2027-03-01', '2028-03-01', today)).toThrow(/at most 366 days/);
  });

  it('refuses dates that do not exist and ranges that run backwards', () => {
    for (const [from, to] of [
      ['2026-02-30', '2026-03-01'],
      ['2026-13-01', '2026-12-01'],
      ['2026-1-01', '2026-12-01'],
      ['2026-03-02', '2026-03-01'],
    ]) {
      expect(() => reportRange(from, to, today), `${from}..${to}`).toThrow(InvalidReportRangeError);
    }
  });

  it('lists the months a range touches', () => {
    expect(monthsOf({ from: '2025-11-30', to: '2026-02-01' })).toEqual(['2025-11', '2025-12', '2026-01', '2026-02']);
    expect(monthsOf({ from: '2026-03-05', to: '2026-03-05' })).toEqual(['2026-03']);
    expect(monthsOf({ from: '2026-01-01', to: '2026-12-31' })).toHaveLength(12);
  });
});

function counters(overrides: Partial<ReportCounters> = {}): ReportCounters {
  return { volume: [], subjects: [], sla: [], backlog: [], csat: [], ...overrides };
}

describe('buildReport', () => {
  const range = { from: '2026-03-01', to: '2026-03-31' };

  it('sums volume shards per day and category, within the range only, in order', () => {
    const r = buildReport(
      range,
      counters({
        volume: [
          { day: '2026-03-02', category: 'network', count: 2 },
          { day: '2026-03-01', category: 'network', count: 1 },
          { day: '2026-03-02', category: 'network', count: 3 },
          { day: '2026-03-02', category: 'access', count: 1 },
          { day: '2026-02-28', category: 'network', count: 50 },
          { day: '2026-03-03', category: 'printing', count: 0 },
          { day: '2026-03-03', category: 'printing', count: -1 },
        ],
      }),
    );
    expect(r.volume).toEqual([
      { day: '2026-03-01', category: 'network', count: 1 },
      { day: '2026-03-02', category: 'access', count: 1 },
      { day: '2026-03-02', category: 'network', count: 5 },
    ]);
    expect(r.topCategories).toEqual([
      { category: 'network', count: 6 },
      { category: 'access', count: 1 },
    ]);
  });

  it('keeps the top 10 categories and subjects, by count then name', () => {
    const volume = Array.from({ length: 12 }, (_, i) => ({ day: '2026-03-10', category: `c${String(i).padStart(2, '0')}`, count: i % 3 }));
    const subjects = Array.from({ length: 15 }, (_, i) => ({ subject: `s${String(i).padStart(2, '0')}`, count: 20 - i }));
    const r = buildReport(range, counters({ volume, subjects: [...subjects, { subject: 's14', count: 100 }] }));
    expect(r.topCategories.map((c) => c.category)).toEqual(['c02', 'c05', 'c08', 'c11', 'c01', 'c04', 'c07', 'c10']);
    expect(r.topSubjects).toHaveLength(10);
    expect(r.topSubjects[0]).toEqual({ subject: 's14', count: 106 });
    expect(r.topSubjects.slice(1, 3).map((s) => s.subject)).toEqual(['s00', 's01']);
  });

  it('gives SLA for every priority and level, summed over the range', () => {
    const r = buildReport(
      range,
      counters({
        sla: [
          { day: '2026-03-02', priority: 'high', level: 1, met: 3, breached: 1 },
          { day: '2026-03-20', priority: 'high', level: 1, met: 1, breached: 0 },
          { day: '2026-04-01', priority: 'high', level: 1, met: 9, breached: 9 },
          { day: '2026-03-05', priority: 'urgent', level: 3, met: 0, breached: 2 },
        ],
      }),
    );
    expect(r.sla).toHaveLength(12);
    expect(r.sla[0]).toEqual({ priority: 'urgent', level: 1, met: 0, breached: 0 });
    expect(r.sla.find((s) => s.priority === 'urgent' && s.level === 3)).toEqual({ priority: 'urgent', level: 3, met: 0, breached: 2 });
    expect(r.sla.find((s) => s.priority === 'high' && s.level === 1)).toEqual({ priority: 'high', level: 1, met: 4, breached: 1 });
  });

  it('gives the backlog for every level and active status', () => {
    const r = buildReport(range, counters({ backlog: [{ level: 2, status: 'pending', count: 4 }] }));
    expect(r.backlog).toHaveLength(12);
    expect(r.backlog.find((b) => b.level === 2 && b.status === 'pending')!.count).toBe(4);
    expect(r.backlog.filter((b) => b.count === 0)).toHaveLength(11);
  });

  it('adds the months\' CSAT counters; no ratings is no average', () => {
    const r = buildReport(range, counters({ csat: [{ r5: 2, r4: 1, count: 3, sum: 14 }, { r1: 1, r5: 1, count: 2, sum: 6 }] }));
    expect(r.csat).toEqual({ count: 5, average: 4, distribution: { '1': 1, '2': 0, '3': 0, '4': 1, '5': 3 } });
    expect(buildReport(range, counters({ csat: [{ r4: 1, r5: 2, count: 3, sum: 14 }] })).csat.average).toBe(4.67);
    expect(buildReport(range, counters()).csat).toEqual({ count: 0, average: null, distribution: { '1': 0, '2': 0, '3': 0, '4': 0, '5': 0 } });
  });
});

describe('CSV', () => {
  it('quotes as RFC 4180 says', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell(3)).toBe('3');
    expect(csvCell(null)).toBe('');
  });

  it('never lets a spreadsheet run a cell as a formula', () => {
    expect(csvCell('=HYPERLINK("http://x","y")')).toBe('"\'=HYPERLINK(""http://x"",""y"")"');
    expect(csvCell('+cmd')).toBe("'+cmd");
    expect(csvCell('-# off')).toBe("'-# off");
    expect(csvCell('@sum(a1)')).toBe("'@sum(a1)");
    expect(csvCell('\tx')).toBe("'\tx");
    expect(csvCell('a=b')).toBe('a=b');
  });

  it('has one section per table, CRLF line ends, and a filename with the range', () => {
    const r = buildReport(
      { from: '2026-03-01', to: '2026-03-31' },
      counters({
        volume: [{ day: '2026-03-02', category: 'network', count: 2 }],
        subjects: [{ subject: '=cmd|, "x"', count: 3 }],
        csat: [{ r5: 1, count: 1, sum: 5 }],
      }),
    );
    const csv = reportCsv(r);
    expect(csv.endsWith('\r\n')).toBe(true);
    expect(csv.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    const sections = csv.trimEnd().split('\r\n\r\n');
    expect(sections.map((s) => s.split('\r\n')[0])).toEqual(['report', 'volume', 'top categories', 'top subjects', 'sla', 'backlog', 'csat', 'triage']);
    expect(sections[0]).toBe('report\r\nfrom,to\r\n2026-03-01,2026-03-31');
    expect(sections[1]).toBe('volume\r\nday,category,count\r\n2026-03-02,network,2');
    expect(sections[3]).toBe('top subjects\r\nsubject,count\r\n"\'=cmd|, ""x""",3');
    expect(sections[4]!.split('\r\n')).toHaveLength(2 + 12);
    expect(sections[6]).toBe('csat\r\ncount,average,1,2,3,4,5\r\n1,5,0,0,0,0,1');
    expect(reportFilename(r)).toBe('helpdesk-report-2026-03-01-2026-03-31.csv');
  });
});
