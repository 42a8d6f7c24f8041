import type { ComponentChildren } from 'preact';
import { t, tr } from '../i18n/index.ts';
import { ApiError } from '../api.ts';
import { formatDateTime } from '../format.ts';
import { formatDuration, slaInfo, type SlaTicket } from '../sla.ts';
import type { Language } from '../i18n/index.ts';
import type { Priority, Status } from '../types.ts';

export function Loading({ label }: { label?: string }) {
  return (
    <p class="loading" role="status">
      {label ?? t('common.loading')}
    </p>
  );
}

/** What went wrong, in words an agent can act on; a missing route reads as "not available yet". */
export function errorText(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.status === 0) return t('error.network');
    if (err.status === 401) return t('error.session');
    if (err.status === 403) return t('error.forbidden');
    if (err.status === 404) return t('error.notFound');
    if (err.status === 422) return t('error.rule', { message: err.message });
    if (err.status === 400) return t('error.invalid', { message: err.message });
    if (err.status >= 500) return t('error.server');
    return err.message;
  }
  return t('error.unexpected');
}

export function ErrorState({ error, onRetry, title }: { error: unknown; onRetry?: () => void; title?: string }) {
  return (
    <div class="notice notice-error" role="alert">
      {title && <strong>{title} </strong>}
      <span>{errorText(error)}</span>
      {onRetry && (
        <button type="button" class="btn btn-small" onClick={onRetry}>
          {t('common.retry')}
        </button>
      )}
    </div>
  );
}

export function Empty({ children }: { children: ComponentChildren }) {
  return <p class="empty">{children}</p>;
}

export function PriorityBadge({ priority }: { priority: Priority }) {
  return <span class={`badge priority-${priority}`}>{tr('priority', priority)}</span>;
}

export function StatusBadge({ status }: { status: Status }) {
  return <span class={`badge status-${status.replace('_', '-')}`}>{tr('status', status)}</span>;
}

/** The countdown and its badge; the exact deadline is in the tooltip and for screen readers. */
export function SlaCell({ ticket, now, lang }: { ticket: SlaTicket; now: number; lang: Language }) {
  const info = slaInfo(ticket, now);
  if (info.tone === 'done') return <span class="sla sla-done">{t('sla.done')}</span>;
  if (info.tone === 'paused') return <span class="sla sla-paused">{t('sla.paused')}</span>;
  if (info.tone === 'none' || info.remainingMs === undefined) return <span class="sla">—</span>;
  const duration = formatDuration(info.remainingMs);
  const which = t(`sla.which.${info.which!}`);
  const label = info.remainingMs > 0 ? t('sla.dueIn', { time: duration }) : t('sla.overdue', { time: duration });
  return (
    <span class={`sla sla-${info.tone}`} title={`${which}: ${formatDateTime(info.deadline, lang)}`}>
      <span class="sla-time">{label}</span> <span class="visually-hidden">({which})</span>
      {info.tone === 'near' && <span class="badge badge-near">{t('sla.near')}</span>}
      {info.tone === 'breached' && <span class="badge badge-breached">{t('sla.breached')}</span>}
    </span>
  );
}
