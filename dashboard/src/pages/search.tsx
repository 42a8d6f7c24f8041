import { useEffect, useState } from 'preact/hooks';
import { api, ApiError } from '../api.ts';
import { useApp } from '../context.ts';
import { formatDateTime } from '../format.ts';
import { t } from '../i18n/index.ts';
import { Link, navigate, useLocation } from '../router.tsx';
import type { Ticket } from '../types.ts';
import { Empty, ErrorState, Loading, PriorityBadge, StatusBadge } from '../components/common.tsx';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** What a query looks like, to explain the results (and to fall back when /search is missing). */
export function queryKind(q: string): 'number' | 'email' | 'words' {
  const s = q.trim();
  if (/^#?\d{1,12}$/.test(s)) return 'number';
  if (EMAIL.test(s)) return 'email';
  return 'words';
}

/** Search by ticket number, requester email or words of the subject. */
export function Search() {
  const { lang } = useApp();
  const loc = useLocation();
  const q = (loc.query.get('q') ?? '').trim();
  const [items, setItems] = useState<Ticket[]>();
  const [error, setError] = useState<unknown>();
  const [fallback, setFallback] = useState<'history' | 'unavailable'>();

  useEffect(() => {
    document.title = `${t('search.title')} · ${t('shell.brand')}`;
    setItems(undefined);
    setError(undefined);
    setFallback(undefined);
    if (!q) return;
    const ctl = new AbortController();
    api.search(q, ctl.signal).then(
      (r) => {
        // A number that names exactly one ticket opens it.
        if (queryKind(q) === 'number' && r.items.length === 1 && String(r.items[0]!.number) === q.replace('#', '')) {
          navigate(`/tickets/${r.items[0]!.id}`, { replace: true });
          return;
        }
        setItems(r.items);
      },
      async (err) => {
        if ((err as Error).name === 'AbortError') return;
        // No search route on this server yet: an email can still be looked up through the customer's history.
        if (err instanceof ApiError && err.status === 404) {
          if (queryKind(q) === 'email') {
            try {
              const page = await api.customerTickets(q.toLowerCase(), 50, ctl.signal);
              setFallback('history');
              setItems(page.items);
            } catch (e2) {
              if ((e2 as Error).name !== 'AbortError') setError(e2);
            }
          } else {
            setFallback('unavailable');
            setItems([]);
          }
          return;
        }
        setError(err);
      },
    );
    return () => ctl.abort();
  }, [q]);

  return (
    <div class="page page-search">
      <h1 tabIndex={-1}>{t('search.title')}</h1>
      <form
        role="search"
        class="search-form"
        onSubmit={(e) => {
          e.preventDefault();
          const value = String(new FormData(e.currentTarget as HTMLFormElement).get('q') ?? '').trim();
          if (value) navigate(`/search?q=${encodeURIComponent(value)}`);
        }}
      >
        <label for="search-page-q">{t('search.label')}</label>
        <input id="search-page-q" name="q" type="search" defaultValue={q} placeholder={t('search.placeholder')} />
        <button type="submit" class="btn btn-primary">
          {t('search.submit')}
        </button>
      </form>
      <p class="muted small">{t('search.help')}</p>
      {!q && <Empty>{t('search.start')}</Empty>}
      {q && error !== undefined && <ErrorState error={error} />}
      {q && items === undefined && error === undefined && <Loading />}
      {fallback === 'unavailable' && (
        <p class="notice notice-warn" role="status">
          {t('search.unavailable')}
        </p>
      )}
      {fallback === 'history' && <p class="notice">{t('search.historyFallback')}</p>}
      {items && items.length === 0 && fallback !== 'unavailable' && <Empty>{t('search.none', { q })}</Empty>}
      {items && items.length > 0 && (
        <div class="table-wrap">
          <table class="queue">
            <caption class="visually-hidden">{t('search.caption', { q })}</caption>
            <thead>
              <tr>
                <th scope="col">#</th>
                <th scope="col">{t('ticket.subject')}</th>
                <th scope="col">{t('ticket.requester')}</th>
                <th scope="col">{t('ticket.status')}</th>
                <th scope="col">{t('ticket.priority')}</th>
                <th scope="col">{t('ticket.created')}</th>
              </tr>
            </thead>
            <tbody>
              {items.map((x) => (
                <tr key={x.id}>
                  <td class="num">{x.number}</td>
                  <td class="subject">
                    <Link href={`/tickets/${x.id}`} class="row-link">
                      {x.subject}
                    </Link>
                  </td>
                  <td>{x.requester.name ? `${x.requester.name} <${x.requester.email}>` : x.requester.email}</td>
                  <td>
                    <StatusBadge status={x.status} />
                  </td>
                  <td>
                    <PriorityBadge priority={x.priority} />
                  </td>
                  <td>{formatDateTime(x.createdAt, lang)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
