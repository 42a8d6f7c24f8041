import { useEffect, useState } from 'preact/hooks';
import { departmentName } from '../context.ts';
import { formatDateTime, formatPercent } from '../format.ts';
import { t, tr, type Language } from '../i18n/index.ts';
import { knownCategories, priorities, type Department, type Priority, type Ticket } from '../types.ts';
import { correctionPatch, triageView } from '../triage-view.ts';
import type { Change } from './ticket-actions.tsx';

/**
 * Why the ticket is where it is: who decided (rules, model, nobody), what triage suggested, how
 * sure it was and the words that weighed most. Accepting or correcting is one PATCH with the
 * version on screen (the page handles a 409); the server records the verdict for the triage report
 * and, once the ticket is finished, the labelled example the model learns from.
 */
export function TriagePanel({ ticket, lang, departments, busy, onChange }: { ticket: Ticket; lang: Language; departments: Department[]; busy: boolean; onChange: (c: Change) => void }) {
  const view = triageView(ticket);
  const [correcting, setCorrecting] = useState(false);
  const [department, setDepartment] = useState(ticket.department ?? '');
  const [category, setCategory] = useState(ticket.category ?? '');
  const [priority, setPriority] = useState<Priority>(ticket.priority);
  useEffect(() => {
    setDepartment(ticket.department ?? '');
    setCategory(ticket.category ?? '');
    setPriority(ticket.priority);
    setCorrecting(false);
  }, [ticket.version]);
  if (!view) return null;

  const dept = (id: string | null) => departmentName(departments, id, lang) ?? t('triage.none');
  const patch = correctionPatch(ticket, { department, category, priority });
  const closed = ticket.status === 'closed';

  return (
    <section class="card triage-panel" aria-labelledby="triage-title">
      <h2 id="triage-title">{t('triage.title')}</h2>
      <p>
        <span class={`badge${view.decidedBy === 'nobody' ? ' badge-dispatch' : ''}`} data-decided-by={view.decidedBy}>
          {t(`triage.decidedBy.${view.decidedBy}`)}
        </span>{' '}
        <span class="muted small">{t('triage.confidence', { share: formatPercent(view.confidence, lang) })}</span>
      </p>
      <dl class="details">
        <div>
          <dt>{view.decidedBy === 'nobody' ? t('triage.suggestedDepartment') : t('ticket.department')}</dt>
          <dd>{dept(view.department)}</dd>
        </div>
        <div>
          <dt>{t('ticket.category')}</dt>
          <dd>{view.category ? tr('category', view.category) : '—'}</dd>
        </div>
        <div>
          <dt>{t('ticket.priority')}</dt>
          <dd>{view.priority ? tr('priority', view.priority) : '—'}</dd>
        </div>
      </dl>
      {view.words.length > 0 && (
        <div>
          <h3 class="small" id="triage-words-title">
            {t('triage.words')}
          </h3>
          <ul class="triage-words" aria-labelledby="triage-words-title">
            {view.words.map((w) => (
              <li key={w} class="badge">
                {w}
              </li>
            ))}
          </ul>
        </div>
      )}
      {view.verdict && ticket.triage?.review && (
        <p class="muted small" role="status">
          {t(`triage.verdict.${view.verdict}`, { at: formatDateTime(ticket.triage.review.at, lang) })}
        </p>
      )}
      {!closed && (
        <div class="button-row">
          {view.accept && (
            <button type="button" class="btn btn-primary" disabled={busy} onClick={() => onChange({ acceptTriage: true })}>
              {view.accept === 'route' ? t('triage.route', { department: dept(view.department) }) : t('triage.accept')}
            </button>
          )}
          <button type="button" class="btn" aria-expanded={correcting} aria-controls="triage-correct" disabled={busy} onClick={() => setCorrecting(!correcting)}>
            {t('triage.correct')}
          </button>
        </div>
      )}
      {!closed && correcting && (
        <form
          id="triage-correct"
          class="triage-correct"
          aria-label={t('triage.correctTitle')}
          onSubmit={(e) => {
            e.preventDefault();
            if (Object.keys(patch).length > 0) onChange(patch);
          }}
        >
          <div class="field">
            <label for="triage-department">{t('ticket.department')}</label>
            <select id="triage-department" value={department} disabled={busy} onChange={(e) => setDepartment((e.currentTarget as HTMLSelectElement).value)}>
              <option value="">{t('action.noDepartment')}</option>
              {departments.map((d) => (
                <option key={d.id} value={d.id}>
                  {departmentName(departments, d.id, lang)}
                </option>
              ))}
            </select>
          </div>
          <div class="field">
            <label for="triage-category">{t('ticket.category')}</label>
            <input id="triage-category" list="triage-categories" value={category} disabled={busy} maxLength={40} pattern="[a-z0-9][a-z0-9_\-]*" onInput={(e) => setCategory((e.currentTarget as HTMLInputElement).value)} />
            <datalist id="triage-categories">
              {knownCategories.map((c) => (
                <option key={c} value={c}>
                  {tr('category', c)}
                </option>
              ))}
            </datalist>
          </div>
          <div class="field">
            <label for="triage-priority">{t('ticket.priority')}</label>
            <select id="triage-priority" value={priority} disabled={busy} onChange={(e) => setPriority((e.currentTarget as HTMLSelectElement).value as Priority)}>
              {priorities.map((p) => (
                <option key={p} value={p}>
                  {tr('priority', p)}
                </option>
              ))}
            </select>
          </div>
          <button type="submit" class="btn btn-primary" disabled={busy || Object.keys(patch).length === 0}>
            {t('triage.saveCorrection')}
          </button>
        </form>
      )}
    </section>
  );
}
