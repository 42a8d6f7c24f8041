import { departmentName } from '../context.ts';
import { formatDateTime } from '../format.ts';
import { t, tr, type Language } from '../i18n/index.ts';
import type { AuditEvent, Department } from '../types.ts';

/** Who did what and when, before → after, as the API recorded it. */
export function AuditTrail({ events, lang, departments }: { events: AuditEvent[]; lang: Language; departments: Department[] }) {
  const sorted = [...events].sort((a, b) => b.version - a.version || b.at.localeCompare(a.at));
  return (
    <section class="audit" aria-labelledby="audit-title">
      <details>
        <summary>
          <h2 id="audit-title">{t('audit.title', { count: events.length })}</h2>
        </summary>
        <ul class="audit-list">
          {sorted.map((e) => (
            <li key={`${e.version}-${e.action}-${e.at}`}>
              <div>
                <time dateTime={e.at}>{formatDateTime(e.at, lang)}</time> · <strong>{tr('audit.action', e.action)}</strong> · <span class="muted">{e.actor.email || t('audit.system')}</span>
                <span class="muted small"> v{e.version}</span>
              </div>
              {e.changes.length > 0 && (
                <ul class="changes">
                  {e.changes.map((c, i) => {
                    const before = value(c.field, c.before, lang, departments);
                    const after = value(c.field, c.after, lang, departments);
                    // A field recorded without a change (an empty list stays empty) says nothing.
                    if (before === after) return null;
                    return (
                      <li key={i}>
                        {tr('field', c.field)}: {before !== '—' && <span class="before">{before}</span>}
                        {before !== '—' && ' → '}
                        <span class="after">{after}</span>
                      </li>
                    );
                  })}
                </ul>
              )}
            </li>
          ))}
        </ul>
      </details>
    </section>
  );
}

function value(field: string, v: unknown, lang: Language, departments: Department[]): string {
  if (v === null || v === undefined || v === '') return '—';
  if (field === 'status' && typeof v === 'string') return tr('status', v);
  if (field === 'priority' && typeof v === 'string') return tr('priority', v);
  if (field === 'department' && typeof v === 'string') return departmentName(departments, v, lang) ?? v;
  if (field === 'category' && typeof v === 'string') return tr('category', v);
  if (field === 'channel' && typeof v === 'string') return tr('channel', v);
  if (field === 'messages' && typeof v === 'object' && 'kind' in v) {
    const kind = (v as { kind: string }).kind;
    return kind === 'reply' ? t('conversation.reply') : kind === 'note' ? t('conversation.note') : t('conversation.customer');
  }
  // Accepting triage's suggestion records its verdict: said in words, not as JSON.
  if (field === 'triage.review' && typeof v === 'object' && 'verdict' in v) return (v as { verdict: string }).verdict === 'corrected' ? t('triage.verdictShort.corrected') : t('triage.verdictShort.confirmed');
  if (field === 'requester' && typeof v === 'object' && 'email' in v) {
    const p = v as { email: string; name?: string };
    return p.name ? `${p.name} <${p.email}>` : p.email;
  }
  if (typeof v === 'string' && /^\d{4}-\d\d-\d\dT/.test(v)) return formatDateTime(v, lang);
  if (Array.isArray(v)) return v.length ? v.map((x) => (typeof x === 'object' ? JSON.stringify(x) : String(x))).join(', ') : '—';
  if (typeof v === 'object') {
    const s = JSON.stringify(v);
    return s.length > 160 ? `${s.slice(0, 157)}…` : s;
  }
  return String(v);
}
