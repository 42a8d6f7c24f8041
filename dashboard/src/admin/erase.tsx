import { useState } from 'preact/hooks';
import { t } from '../i18n/index.ts';
import { AdminError, FieldError, TextField } from './common.tsx';
import { adminApi } from './admin-api.ts';
import { erasureReady, normaliseEmail, type ErasureResult } from './logic.ts';

/**
 * Erase a requester (GDPR/LGPD): the address typed twice and the admin's
 * confirmation before anything is sent; then what was erased, and whether
 * part is left for another round.
 */
export function Erase() {
  const [first, setFirst] = useState('');
  const [second, setSecond] = useState('');
  const [reason, setReason] = useState('');
  const [confirmed, setConfirmed] = useState(false);
  const [tried, setTried] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [result, setResult] = useState<{ email: string; r: ErasureResult }>();

  const state = erasureReady(first, second, confirmed);

  const send = async (email: string) => {
    setBusy(true);
    setError(undefined);
    try {
      const r = await adminApi.erase({ email, ...(reason.trim() ? { reason: reason.trim() } : {}) });
      setResult({ email, r });
      if (r.remaining === 0) {
        setFirst('');
        setSecond('');
        setConfirmed(false);
        setTried(false);
      }
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const submit = (e: Event) => {
    e.preventDefault();
    setTried(true);
    if (!state.ready) return;
    void send(normaliseEmail(first));
  };

  const firstError = state.invalid ? t('admin.invalid.email') : tried && !first.trim() ? t('admin.invalid.email') : undefined;
  const secondError = state.mismatch ? t('admin.erase.mismatch') : tried && !second.trim() ? t('admin.erase.again') : undefined;
  const confirmError = tried && !confirmed ? t('admin.erase.confirmNeeded') : undefined;

  return (
    <div>
      <h2>{t('admin.erase.title')}</h2>
      <p>{t('admin.erase.intro')}</p>
      <form class="card" onSubmit={submit} noValidate>
        <TextField id="erase-email" email label={t('admin.erase.email')} value={first} error={firstError} onInput={setFirst} />
        <TextField id="erase-email2" email label={t('admin.erase.email2')} value={second} error={secondError} onInput={setSecond} />
        <div class="field">
          <label for="erase-reason">{t('admin.erase.reason')}</label>
          <input id="erase-reason" value={reason} maxLength={500} onInput={(e) => setReason((e.currentTarget as HTMLInputElement).value)} />
        </div>
        <label class="check" for="erase-confirm">
          <input
            id="erase-confirm"
            type="checkbox"
            checked={confirmed}
            aria-describedby={confirmError ? 'erase-confirm-error' : undefined}
            onChange={(e) => setConfirmed((e.currentTarget as HTMLInputElement).checked)}
          />
          {t('admin.erase.confirm', { email: normaliseEmail(first) || '…' })}
        </label>
        <div>
          <FieldError id="erase-confirm-error" message={confirmError} />
        </div>
        <AdminError error={error} />
        <div class="button-row">
          <button type="submit" class="btn btn-primary" disabled={busy}>
            {busy ? t('admin.busy') : t('admin.erase.submit')}
          </button>
        </div>
      </form>
      {result && (
        <div class={`notice ${result.r.remaining > 0 ? 'notice-warn' : 'notice-ok'}`} role="status">
          <p>
            {result.r.nothingLeft
              ? t('admin.erase.nothingLeft', { email: result.email })
              : t('admin.erase.done', { email: result.email, tickets: result.r.tickets, closed: result.r.closedTickets })}
          </p>
          {result.r.remaining > 0 && (
            <p>
              {t('admin.erase.remaining', { remaining: result.r.remaining })}{' '}
              <button type="button" class="btn btn-small" disabled={busy} onClick={() => void send(result.email)}>
                {t('admin.erase.continue')}
              </button>
            </p>
          )}
        </div>
      )}
    </div>
  );
}
