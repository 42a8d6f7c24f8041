import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError } from '../api.ts';
import { departmentName, useApp } from '../context.ts';
import { formatDateTime, formatPercent } from '../format.ts';
import { useNow, usePolling, useShortcuts } from '../hooks.ts';
import { t, tr, type Language } from '../i18n/index.ts';
import { Link, navigate } from '../router.tsx';
import type { Department, Thread, Ticket } from '../types.ts';
import { Empty, ErrorState, errorText, Loading, PriorityBadge, SlaCell, StatusBadge } from '../components/common.tsx';
import { Conversation } from '../components/conversation.tsx';
import { Composer, type ComposerHandle } from '../components/composer.tsx';
import { TicketActions, type Change } from '../components/ticket-actions.tsx';
import { AuditTrail } from '../components/audit-trail.tsx';
import { Participants } from '../components/participants.tsx';
import { TriagePanel } from '../components/triage-panel.tsx';
import { lastQueueUrl } from '../queue-memory.ts';

export const TICKET_POLL_MS = 15_000;

/** A stale write: what the agent tried, and the ticket as it is now. */
interface Conflict {
  attempted: Change;
  current: Ticket;
}

/** Fields whose difference an agent cares about when their view went stale. */
const watched: (keyof Ticket)[] = ['status', 'priority', 'level', 'assignee', 'department', 'category', 'subject'];

export function changedFields(before: Ticket, after: Ticket): (keyof Ticket)[] {
  return watched.filter((f) => JSON.stringify(before[f]) !== JSON.stringify(after[f]));
}

export default function TicketPage({ id }: { id: string }) {
  const { session, lang, departments } = useApp();
  const [thread, setThread] = useState<Thread>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const [conflict, setConflict] = useState<Conflict>();
  const [newer, setNewer] = useState<Ticket>();
  const [actionError, setActionError] = useState<string>();
  const [done, setDone] = useState<string>();
  const composer = useRef<ComposerHandle>(null);
  const now = useNow(1000);

  const load = async () => {
    try {
      const th = await api.getThread(id);
      setThread(th);
      setError(undefined);
      setConflict(undefined);
      setNewer(undefined);
      document.title = `#${th.ticket.number} ${th.ticket.subject} · ${t('shell.brand')}`;
    } catch (err) {
      setError(err);
    }
  };
  useEffect(() => {
    void load();
  }, [id]);

  // Someone else's change shows as a notice; the screen never changes under the agent's hands.
  usePolling(
    async () => {
      if (!thread) return;
      const th = await api.getThread(id);
      if (th.ticket.version > thread.ticket.version) setNewer(th.ticket);
    },
    TICKET_POLL_MS,
    thread !== undefined,
  );

  const change = async (c: Change) => {
    if (!thread || busy || conflict) return;
    setBusy(true);
    setActionError(undefined);
    setDone(undefined);
    try {
      const updated = await api.updateTicket(thread.ticket.id, thread.ticket.version, c);
      setDone(t('ticket.saved'));
      setThread({ ...thread, ticket: updated });
      await load();
    } catch (err) {
      if (err instanceof ApiError && err.status === 409 && err.current) setConflict({ attempted: c, current: err.current });
      else setActionError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  useShortcuts('ticket', {
    reply: () => composer.current?.focus('reply'),
    note: () => composer.current?.focus('note'),
    assignMe: () => {
      if (thread && thread.ticket.assignee !== session.email) void change({ assignee: session.email });
    },
    escalate: () => {
      if (thread && thread.ticket.level < 3) void change({ level: thread.ticket.level + 1 });
    },
    queue: () => navigate(lastQueueUrl()),
    refresh: () => void load(),
  });

  if (error && !thread) {
    return (
      <div class="page">
        <h1 tabIndex={-1}>{t('ticket.title')}</h1>
        {error instanceof ApiError && error.status === 404 ? <Empty>{t('ticket.notFound')}</Empty> : <ErrorState error={error} onRetry={() => void load()} />}
        <p>
          <Link href={lastQueueUrl()}>{t('ticket.backToQueue')}</Link>
        </p>
      </div>
    );
  }
  if (!thread) return <Loading />;
  const tk = thread.ticket;

  return (
    <div class="page page-ticket">
      <p class="crumbs">
        <Link href={lastQueueUrl()}>← {t('ticket.backToQueue')}</Link>
      </p>
      <div class="ticket-head">
        <h1 tabIndex={-1}>
          <span class="muted">#{tk.number}</span> {tk.subject}
        </h1>
        <div class="chips">
          <StatusBadge status={tk.status} />
          <PriorityBadge priority={tk.priority} />
          <span class="badge">{t('ticket.levelN', { level: tk.level })}</span>
          <SlaCell ticket={tk} now={now} lang={lang} />
          {/* Automatic mail is held with spam, but it is not spam: it says what it is. */}
          {tk.spam && !tk.automatic && <span class="badge badge-breached">{t('ticket.spam')}</span>}
          {tk.automatic && <span class="badge">{t('ticket.automatic')}</span>}
          {tk.unverified && (
            <span class="badge badge-breached" title={t('ticket.unverifiedHint')}>
              {t('ticket.unverified')}
            </span>
          )}
        </div>
      </div>

      {conflict && <ConflictNotice conflict={conflict} loaded={tk} lang={lang} departments={departments} onReload={() => void load()} />}
      {!conflict && newer && (
        <div class="notice notice-warn" role="status">
          <span>{t('ticket.changedElsewhere', { version: newer.version })}</span>{' '}
          <button type="button" class="btn btn-small" onClick={() => void load()}>
            {t('ticket.reload')}
          </button>
        </div>
      )}
      {actionError && (
        <p class="notice notice-error" role="alert">
          {actionError}
        </p>
      )}
      <div aria-live="polite" class="visually-hidden">
        {done}
      </div>

      <div class="ticket-layout">
        <div class="ticket-main">
          <Conversation ticketId={tk.id} messages={thread.messages} lang={lang} />
          {tk.status !== 'closed' ? (
            <Composer ticket={tk} lang={lang} handle={composer} warnings={thread.warnings} onSent={() => void load()} />
          ) : (
            <p class="notice">{t('ticket.closedNoReply')}</p>
          )}
          <AuditTrail events={thread.events} lang={lang} departments={departments} />
        </div>
        <aside class="ticket-side" aria-label={t('ticket.side')}>
          <TicketActions ticket={tk} me={session.email} lang={lang} departments={departments} busy={busy || !!conflict} onChange={(c) => void change(c)} />
          <TriagePanel ticket={tk} lang={lang} departments={departments} busy={busy || !!conflict} onChange={(c) => void change(c)} />
          <Details ticket={tk} lang={lang} departments={departments} />
          <Participants ticket={tk} busy={busy || !!conflict} onChange={(c) => void change(c)} />
          <CustomerTickets email={tk.requester.email} currentId={tk.id} lang={lang} />
        </aside>
      </div>
    </div>
  );
}

function ConflictNotice({ conflict, loaded, lang, departments, onReload }: { conflict: Conflict; loaded: Ticket; lang: Language; departments: Department[]; onReload: () => void }) {
  const fields = changedFields(loaded, conflict.current);
  const heading = useRef<HTMLHeadingElement>(null);
  // The explanation may appear far above the control that was used: bring it to the agent.
  useEffect(() => {
    heading.current?.scrollIntoView({ block: 'center' });
    heading.current?.focus({ preventScroll: true });
  }, [conflict]);
  const show = (f: keyof Ticket, v: unknown) =>
    v === null || v === undefined ? '—' : f === 'status' ? tr('status', String(v)) : f === 'priority' ? tr('priority', String(v)) : f === 'department' ? (departmentName(departments, String(v), lang) ?? String(v)) : String(v);
  const attempted = Object.entries(conflict.attempted)
    .map(([k, v]) => `${tr('field', k)} → ${show(k as keyof Ticket, v)}`)
    .join(', ');
  return (
    <div class="notice notice-error conflict" role="alert">
      <h2 ref={heading} tabIndex={-1}>
        {t('conflict.title')}
      </h2>
      <p>{t('conflict.explain', { mine: loaded.version, theirs: conflict.current.version })}</p>
      <p>{t('conflict.notSaved', { change: attempted })}</p>
      {fields.length > 0 && (
        <ul>
          {fields.map((f) => (
            <li key={f}>
              {tr('field', f)}: {show(f, loaded[f])} → <strong>{show(f, conflict.current[f])}</strong>
            </li>
          ))}
        </ul>
      )}
      <button type="button" class="btn btn-primary" onClick={onReload}>
        {t('conflict.reload')}
      </button>
    </div>
  );
}

function Details({ ticket, lang, departments }: { ticket: Ticket; lang: Language; departments: Department[] }) {
  const rows: [string, string][] = [
    [t('ticket.requester'), ticket.requester.name ? `${ticket.requester.name} <${ticket.requester.email}>` : ticket.requester.email],
    [t('ticket.assignee'), ticket.assignee ?? t('ticket.unassigned')],
    [t('ticket.department'), departmentName(departments, ticket.department, lang) ?? t('ticket.noDepartment')],
    [t('ticket.category'), ticket.category ? tr('category', ticket.category) : '—'],
    [t('ticket.channel'), tr('channel', ticket.channel ?? '')],
    [t('ticket.created'), formatDateTime(ticket.createdAt, lang)],
    [t('ticket.firstResponseDue'), ticket.firstRespondedAt ? t('ticket.answered', { at: formatDateTime(ticket.firstRespondedAt, lang) }) : formatDateTime(ticket.firstResponseDueAt, lang)],
    [t('ticket.resolutionDue'), formatDateTime(ticket.resolutionDueAt, lang)],
    [t('ticket.levelDue'), formatDateTime(ticket.levelDueAt, lang)],
  ];
  if (ticket.slaPausedAt) rows.push([t('ticket.paused'), formatDateTime(ticket.slaPausedAt, lang)]);
  if (ticket.breaches.length) rows.push([t('ticket.breaches'), ticket.breaches.map((b) => t('ticket.levelN', { level: b.level })).join(', ')]);
  if (ticket.triage) rows.push([t('ticket.triage'), `${formatPercent(ticket.triage.confidence, lang)}${ticket.triage.dispatch ? ` · ${t('ticket.dispatch')}` : ''}`]);
  if (ticket.survey) rows.push([t('ticket.survey'), ticket.survey.rating ? `${'★'.repeat(ticket.survey.rating)}${'☆'.repeat(5 - ticket.survey.rating)} (${ticket.survey.rating}/5)` : t('ticket.surveyPending')]);
  if (ticket.survey?.comment) rows.push([t('ticket.surveyComment'), ticket.survey.comment]);
  if (ticket.tags.length) rows.push([t('ticket.tags'), ticket.tags.join(', ')]);
  return (
    <section class="card" aria-labelledby="details-title">
      <h2 id="details-title">{t('ticket.details')}</h2>
      <dl class="details">
        {rows.map(([k, v]) => (
          <div key={k}>
            <dt>{k}</dt>
            <dd>{v}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}

function CustomerTickets({ email, currentId, lang }: { email: string; currentId: string; lang: Language }) {
  const [items, setItems] = useState<Ticket[]>();
  const [error, setError] = useState<unknown>();
  useEffect(() => {
    const ctl = new AbortController();
    api.customerTickets(email, 11, ctl.signal).then(
      (p) => setItems(p.items.filter((x) => x.id !== currentId).slice(0, 10)),
      (err) => (err as Error).name !== 'AbortError' && setError(err),
    );
    return () => ctl.abort();
  }, [email, currentId]);
  return (
    <section class="card" aria-labelledby="customer-title">
      <h2 id="customer-title">{t('customer.title')}</h2>
      <p class="muted small">{email}</p>
      {error !== undefined && <ErrorState error={error} />}
      {items === undefined && error === undefined && <Loading />}
      {items?.length === 0 && <Empty>{t('customer.none')}</Empty>}
      {items && items.length > 0 && (
        <ul class="customer-tickets">
          {items.map((x) => (
            <li key={x.id}>
              <Link href={`/tickets/${x.id}`}>
                #{x.number} {x.subject}
              </Link>
              <div class="small">
                <StatusBadge status={x.status} /> <span class="muted">{formatDateTime(x.createdAt, lang)}</span>
              </div>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
