import { useEffect, useState } from 'preact/hooks';
import { useApp } from '../context.ts';
import { formatDateTime } from '../format.ts';
import { t, tr } from '../i18n/index.ts';
import { Empty, Loading } from '../components/common.tsx';
import { AdminError } from './common.tsx';
import { adminApi } from './admin-api.ts';
import { appendAudit, auditChangeLines, type AuditRecord } from './logic.ts';

/** The admin audit: who changed which agent or canned response, newest first, a page at a time. */
export function Audit() {
  const { lang } = useApp();
  const [items, setItems] = useState<AuditRecord[]>();
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  const load = async (after?: string) => {
    setBusy(true);
    setError(undefined);
    try {
      const page = await adminApi.audit(after);
      setItems((shown) => (after ? appendAudit(shown ?? [], page.items) : page.items));
      setCursor(page.nextCursor ?? null);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  useEffect(() => void load(), []);

  return (
    <div>
      <div class="page-head">
        <h2>{t('admin.audit.title')}</h2>
        <button type="button" class="btn btn-small" disabled={busy} onClick={() => void load()}>
          {t('queue.refresh')}
        </button>
      </div>
      {!items && !error && <Loading />}
      {items && items.length === 0 && <Empty>{t('admin.audit.none')}</Empty>}
      {items && items.length > 0 && (
        <div class="table-wrap">
          <table class="queue">
            <caption class="visually-hidden">{t('admin.audit.title')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('admin.audit.when')}</th>
                <th scope="col">{t('admin.audit.who')}</th>
                <th scope="col">{t('admin.audit.action')}</th>
                <th scope="col">{t('admin.audit.target')}</th>
                <th scope="col">{t('admin.audit.changes')}</th>
              </tr>
            </thead>
            <tbody>
              {items.map((r) => (
                <tr key={r.id}>
                  <td>
                    <time dateTime={r.at}>{formatDateTime(r.at, lang)}</time>
                  </td>
                  <td>{r.actor}</td>
                  <td>{tr('admin.action', r.action)}</td>
                  <td>{r.target}</td>
                  <td>
                    <ul class="changes">
                      {auditChangeLines(r).map((line, i) => (
                        <li key={i}>{line}</li>
                      ))}
                    </ul>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <AdminError error={error} />
      {cursor && (
        <button type="button" class="btn" disabled={busy} onClick={() => void load(cursor)}>
          {busy ? t('common.loading') : t('admin.audit.more')}
        </button>
      )}
    </div>
  );
}
