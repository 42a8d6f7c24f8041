import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError, type QueueFilter } from '../api.ts';
import { departmentName, useApp } from '../context.ts';
import { relativeAge } from '../format.ts';
import { useNow, usePolling, useShortcuts } from '../hooks.ts';
import { t, tr } from '../i18n/index.ts';
import { Link, navigate, useLocation } from '../router.tsx';
import { activeStatuses, statuses, type Status, type Ticket } from '../types.ts';
import { rememberQueue } from '../queue-memory.ts';
import { Empty, ErrorState, errorText, Loading, PriorityBadge, SlaCell, StatusBadge } from '../components/common.tsx';

export const QUEUE_POLL_MS = 15_000;
const PAGE = 25;
const views = ['all', 'mine', 'unassigned', 'dispatch'] as const;
type View = (typeof views)[number];

export interface QueueParams {
  view: View;
  department?: string;
  level?: number;
  status: Status[];
}

/** Reads the queue's filters from the URL, so a view can be bookmarked and shared. */
export function readParams(query: URLSearchParams): QueueParams {
  const v = query.get('view');
  const view: View = (views as readonly string[]).includes(v ?? '') ? (v as View) : 'all';
  const level = Number(query.get('level'));
  const status = (query.get('status') ?? '')
    .split(',')
    .filter((s): s is Status => (statuses as readonly string[]).includes(s));
  return {
    view,
    ...(query.get('department') ? { department: query.get('department')! } : {}),
    ...([1, 2, 3].includes(level) ? { level } : {}),
    status: status.length ? status : [...activeStatuses],
  };
}

export function toQuery(p: QueueParams): string {
  const q = new URLSearchParams();
  if (p.view !== 'all') q.set('view', p.view);
  if (p.department && p.view !== 'dispatch') q.set('department', p.department);
  if (p.level && p.view !== 'dispatch') q.set('level', String(p.level));
  const isDefault = p.status.length === activeStatuses.length && activeStatuses.every((s) => p.status.includes(s));
  if (!isDefault) q.set('status', p.status.join(','));
  const s = q.toString();
  return s ? `/?${s}` : '/';
}

/** The API filter for a view: "mine" is the signed-in agent, dispatch is level 1 with no department. */
export function apiFilter(p: QueueParams, me: string): QueueFilter {
  const f: QueueFilter = { status: p.status };
  if (p.view === 'mine') f.assignee = me;
  if (p.view === 'unassigned') f.assignee = 'none';
  if (p.view === 'dispatch') {
    f.department = 'none';
    f.level = 1;
  } else {
    if (p.department) f.department = p.department;
    if (p.level) f.level = p.level;
  }
  return f;
}

export function Queue() {
  const { session, lang, departments } = useApp();
  const loc = useLocation();
  const params = readParams(loc.query);
  const filterKey = toQuery(params);
  rememberQueue(filterKey);
  const [items, setItems] = useState<Ticket[] | undefined>();
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<unknown>();
  const [updatedAt, setUpdatedAt] = useState<number>();
  const [selected, setSelected] = useState(0);
  const [notice, setNotice] = useState<string>();
  const [loadingMore, setLoadingMore] = useState(false);
  const now = useNow(1000);
  const tableRef = useRef<HTMLTableElement>(null);
  const generation = useRef(0);

  const load = async (limit = PAGE) => {
    const gen = generation.current;
    try {
      const page = await api.listTickets({ ...apiFilter(params, session.email), limit: Math.min(100, Math.max(PAGE, limit)) });
      if (gen !== generation.current) return;
      setItems(page.items);
      setCursor(page.nextCursor ?? null);
      setError(undefined);
      setUpdatedAt(Date.now());
    } catch (err) {
      if (gen === generation.current) setError(err);
    }
  };

  useEffect(() => {
    generation.current += 1;
    setItems(undefined);
    setSelected(0);
    setError(undefined);
    void load();
    document.title = `${t('queue.title')} · ${t('shell.brand')}`;
  }, [filterKey, session.email]);

  // The queue keeps itself current: every 15 s while the tab is visible, with no page reload.
  usePolling(() => load(items?.length ?? PAGE), QUEUE_POLL_MS, items !== undefined);

  const loadMore = async () => {
    if (!cursor) return;
    setLoadingMore(true);
    try {
      const page = await api.listTickets({ ...apiFilter(params, session.email), limit: PAGE, cursor });
      setItems((prev) => [...(prev ?? []), ...page.items.filter((t) => !prev?.some((p) => p.id === t.id))]);
      setCursor(page.nextCursor ?? null);
    } catch (err) {
      setError(err);
    } finally {
      setLoadingMore(false);
    }
  };

  const set = (change: Partial<QueueParams>) => navigate(toQuery({ ...params, ...change }), { replace: true });

  const focusRow = (i: number) => {
    const link = tableRef.current?.querySelectorAll<HTMLAnchorElement>('tbody a.row-link')[i];
    link?.focus();
    link?.closest('tr')?.scrollIntoView({ block: 'nearest' });
  };
  const move = (delta: number) => {
    if (!items?.length) return;
    const i = Math.max(0, Math.min(items.length - 1, selected + delta));
    setSelected(i);
    focusRow(i);
  };

  const assignToMe = async (ticket: Ticket) => {
    setNotice(undefined);
    try {
      await api.updateTicket(ticket.id, ticket.version, { assignee: session.email });
      setNotice(t('queue.assigned', { number: ticket.number }));
    } catch (err) {
      setNotice(err instanceof ApiError && err.status === 409 ? t('queue.assignConflict', { number: ticket.number }) : errorText(err));
    }
    await load(items?.length ?? PAGE);
  };

  useShortcuts('queue', {
    next: () => move(1),
    prev: () => move(-1),
    open: () => {
      const ticket = items?.[selected];
      if (ticket) navigate(`/tickets/${ticket.id}`);
    },
    assignMe: () => {
      const ticket = items?.[selected];
      if (ticket && ticket.assignee !== session.email) void assignToMe(ticket);
    },
    refresh: () => void load(items?.length ?? PAGE),
  });

  const viewHref = (view: View) => toQuery({ ...params, view });
  const viewLabel = t(`queue.view.${params.view}`);

  return (
    <div class="page page-queue">
      <div class="page-head">
        <h1 tabIndex={-1}>{t('queue.title')}</h1>
        <nav aria-label={t('queue.views')} class="tabs">
          {views.map((v) => (
            <Link key={v} href={viewHref(v)} class="tab" aria-current={params.view === v ? 'page' : undefined}>
              {t(`queue.view.${v}`)}
            </Link>
          ))}
        </nav>
      </div>

      <form class="filters" aria-label={t('queue.filters')} onSubmit={(e) => e.preventDefault()}>
        <div class="field">
          <label for="filter-department">{t('ticket.department')}</label>
          <select
            id="filter-department"
            value={params.view === 'dispatch' ? '' : (params.department ?? '')}
            disabled={params.view === 'dispatch'}
            onChange={(e) => set({ department: (e.currentTarget as HTMLSelectElement).value || undefined })}
          >
            <option value="">{t('queue.anyDepartment')}</option>
            <option value="none">{t('queue.noDepartment')}</option>
            {departments.map((d) => (
              <option key={d.id} value={d.id}>
                {departmentName(departments, d.id, lang)}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="filter-level">{t('ticket.level')}</label>
          <select
            id="filter-level"
            value={params.view === 'dispatch' ? '1' : String(params.level ?? '')}
            disabled={params.view === 'dispatch'}
            onChange={(e) => {
              const v = Number((e.currentTarget as HTMLSelectElement).value);
              set({ level: v || undefined });
            }}
          >
            <option value="">{t('queue.anyLevel')}</option>
            {[1, 2, 3].map((l) => (
              <option key={l} value={String(l)}>
                {t('ticket.levelN', { level: l })}
              </option>
            ))}
          </select>
        </div>
        <fieldset class="field status-filter">
          <legend>{t('ticket.status')}</legend>
          {statuses.map((s) => (
            <label key={s} class="check">
              <input
                type="checkbox"
                checked={params.status.includes(s)}
                onChange={(e) => {
                  const on = (e.currentTarget as HTMLInputElement).checked;
                  const next = on ? [...params.status, s] : params.status.filter((x) => x !== s);
                  if (next.length) set({ status: statuses.filter((x) => next.includes(x)) });
                }}
              />
              {tr('status', s)}
            </label>
          ))}
        </fieldset>
      </form>

      <div class="queue-meta">
        <p aria-live="polite" class="muted">
          {items && t('queue.count', { count: items.length, more: cursor ? '+' : '' })}
          {updatedAt && ` · ${t('queue.updated', { time: new Date(updatedAt).toLocaleTimeString(lang) })}`}
        </p>
        <button type="button" class="btn btn-small" onClick={() => void load(items?.length ?? PAGE)}>
          {t('queue.refresh')}
        </button>
      </div>
      {notice && (
        <p class="notice" role="status">
          {notice}
        </p>
      )}
      {error !== undefined && <ErrorState error={error} onRetry={() => void load()} />}

      {items === undefined && error === undefined && <Loading />}
      {items !== undefined && items.length === 0 && <Empty>{t('queue.empty')}</Empty>}
      {items !== undefined && items.length > 0 && (
        <div class="table-wrap">
          <table class="queue" ref={tableRef}>
            <caption class="visually-hidden">{t('queue.caption', { view: viewLabel })}</caption>
            <thead>
              <tr>
                <th scope="col">#</th>
                <th scope="col">{t('ticket.priority')}</th>
                <th scope="col">{t('ticket.subject')}</th>
                <th scope="col">{t('ticket.requester')}</th>
                <th scope="col">{t('ticket.sla')}</th>
                <th scope="col">{t('ticket.age')}</th>
                <th scope="col">{t('ticket.assignee')}</th>
                <th scope="col">{t('ticket.status')}</th>
                <th scope="col">{t('ticket.level')}</th>
                <th scope="col">{t('ticket.department')}</th>
              </tr>
            </thead>
            <tbody>
              {items.map((ticket, i) => (
                <tr key={ticket.id} class={i === selected ? 'selected' : undefined} onFocusIn={() => setSelected(i)}>
                  <td class="num">{ticket.number}</td>
                  <td>
                    <PriorityBadge priority={ticket.priority} />
                  </td>
                  <td class="subject">
                    <Link href={`/tickets/${ticket.id}`} class="row-link">
                      {ticket.subject}
                    </Link>
                    {ticket.triage?.dispatch && !ticket.department && <span class="badge badge-dispatch">{t('queue.needsRouting')}</span>}
                  </td>
                  <td class="requester">
                    <span>{ticket.requester.name ?? ticket.requester.email}</span>
                    {ticket.requester.name && <span class="muted small"> {ticket.requester.email}</span>}
                  </td>
                  <td>
                    <SlaCell ticket={ticket} now={now} lang={lang} />
                  </td>
                  <td title={ticket.createdAt}>{relativeAge(ticket.createdAt, now, lang)}</td>
                  <td>{ticket.assignee ?? <span class="muted">{t('ticket.unassigned')}</span>}</td>
                  <td>
                    <StatusBadge status={ticket.status} />
                  </td>
                  <td>{ticket.level}</td>
                  <td>{departmentName(departments, ticket.department, lang) ?? <span class="muted">—</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {cursor && (
        <button type="button" class="btn" onClick={loadMore} disabled={loadingMore}>
          {loadingMore ? t('common.loading') : t('queue.loadMore')}
        </button>
      )}
      <p class="hint">{t('queue.hint')}</p>
    </div>
  );
}
