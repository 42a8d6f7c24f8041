import { useEffect, useState } from 'preact/hooks';
import { api, cached } from '../api.ts';
import { departmentName } from '../context.ts';
import { t, tr, type Language } from '../i18n/index.ts';
import { knownCategories, priorities, transitions, type Agent, type Department, type Priority, type Status, type Ticket } from '../types.ts';

export type Change = Record<string, unknown>;

/**
 * What an agent does to a ticket. Every control sends one PATCH with the
 * version on screen; the page handles a 409 (never retried silently).
 */
export function TicketActions({
  ticket,
  me,
  lang,
  departments,
  busy,
  onChange,
}: {
  ticket: Ticket;
  me: string;
  lang: Language;
  departments: Department[];
  busy: boolean;
  onChange: (change: Change) => void;
}) {
  const [agents, setAgents] = useState<Agent[] | 'unavailable' | undefined>();
  const [assignee, setAssignee] = useState(ticket.assignee ?? '');
  const [category, setCategory] = useState(ticket.category ?? '');
  useEffect(() => setAssignee(ticket.assignee ?? ''), [ticket.assignee]);
  useEffect(() => setCategory(ticket.category ?? ''), [ticket.category]);
  useEffect(() => {
    cached('agents', api.agents).then(
      (r) => setAgents(r.items.filter((a) => a.active !== false)),
      () => setAgents('unavailable'),
    );
  }, []);

  const closed = ticket.status === 'closed';
  const disabled = busy || closed;
  const next = transitions[ticket.status];
  const statusButtons: { to: Status; label: string; cls?: string }[] = [];
  if (next.includes('open')) statusButtons.push({ to: 'open', label: ticket.status === 'resolved' ? t('action.reopen') : t('action.open') });
  if (next.includes('pending')) statusButtons.push({ to: 'pending', label: t('action.pending') });
  if (next.includes('on_hold')) statusButtons.push({ to: 'on_hold', label: t('action.onHold') });
  if (next.includes('resolved')) statusButtons.push({ to: 'resolved', label: t('action.resolve'), cls: 'btn-primary' });
  if (next.includes('closed')) statusButtons.push({ to: 'closed', label: t('action.close') });

  return (
    <section class="card actions" aria-labelledby="actions-title">
      <h2 id="actions-title">{t('action.title')}</h2>
      <div class="button-row">
        <button type="button" class="btn" disabled={disabled || ticket.assignee === me} onClick={() => onChange({ assignee: me })}>
          {t('action.assignMe')}
        </button>
        <button type="button" class="btn" disabled={disabled || ticket.level >= 3} onClick={() => onChange({ level: ticket.level + 1 })}>
          {ticket.level >= 3 ? t('action.topLevel') : t('action.escalate', { level: ticket.level + 1 })}
        </button>
      </div>
      <div class="button-row" role="group" aria-label={t('action.statusGroup')}>
        {statusButtons.map((b) => (
          <button key={b.to} type="button" class={`btn ${b.cls ?? ''}`} disabled={disabled} onClick={() => onChange({ status: b.to })}>
            {b.label}
          </button>
        ))}
      </div>

      <form
        class="field-row"
        onSubmit={(e) => {
          e.preventDefault();
          const value = assignee.trim().toLowerCase();
          if (value !== (ticket.assignee ?? '')) onChange({ assignee: value || null });
        }}
      >
        <div class="field">
          <label for="assignee">{t('ticket.assignee')}</label>
          {Array.isArray(agents) ? (
            <select id="assignee" value={assignee} disabled={disabled} onChange={(e) => setAssignee((e.currentTarget as HTMLSelectElement).value)}>
              <option value="">{t('ticket.unassigned')}</option>
              {ticket.assignee && !agents.some((a) => a.email === ticket.assignee) && <option value={ticket.assignee}>{ticket.assignee}</option>}
              {agents.map((a) => (
                <option key={a.email} value={a.email}>
                  {a.name ? `${a.name} (${a.email})` : a.email}
                </option>
              ))}
            </select>
          ) : (
            <input id="assignee" type="email" value={assignee} disabled={disabled} placeholder={t('action.assigneePlaceholder')} onInput={(e) => setAssignee((e.currentTarget as HTMLInputElement).value)} />
          )}
        </div>
        <button type="submit" class="btn btn-small" disabled={disabled || assignee.trim().toLowerCase() === (ticket.assignee ?? '')}>
          {t('action.assign')}
        </button>
      </form>

      <div class="field">
        <label for="priority">{t('ticket.priority')}</label>
        <select id="priority" value={ticket.priority} disabled={disabled} onChange={(e) => onChange({ priority: (e.currentTarget as HTMLSelectElement).value as Priority })}>
          {priorities.map((p) => (
            <option key={p} value={p}>
              {tr('priority', p)}
            </option>
          ))}
        </select>
      </div>

      <div class="field">
        <label for="department">{t('ticket.department')}</label>
        <select
          id="department"
          value={ticket.department ?? ''}
          disabled={disabled}
          onChange={(e) => {
            const v = (e.currentTarget as HTMLSelectElement).value;
            onChange({ department: v || null });
          }}
        >
          <option value="">{t('action.noDepartment')}</option>
          {ticket.department && !departments.some((d) => d.id === ticket.department) && <option value={ticket.department}>{ticket.department}</option>}
          {departments.map((d) => (
            <option key={d.id} value={d.id}>
              {departmentName(departments, d.id, lang)}
            </option>
          ))}
        </select>
      </div>

      <form
        class="field-row"
        onSubmit={(e) => {
          e.preventDefault();
          const value = category.trim().toLowerCase();
          if (value !== (ticket.category ?? '')) onChange({ category: value || null });
        }}
      >
        <div class="field">
          <label for="category">{t('ticket.category')}</label>
          <input id="category" list="categories" value={category} disabled={disabled} maxLength={40} pattern="[a-z0-9][a-z0-9_\-]*" onInput={(e) => setCategory((e.currentTarget as HTMLInputElement).value)} />
          <datalist id="categories">
            {knownCategories.map((c) => (
              <option key={c} value={c}>
                {tr('category', c)}
              </option>
            ))}
          </datalist>
        </div>
        <button type="submit" class="btn btn-small" disabled={disabled || category.trim().toLowerCase() === (ticket.category ?? '')}>
          {t('action.setCategory')}
        </button>
      </form>
      {closed && <p class="muted small">{t('action.closedNote')}</p>}
    </section>
  );
}
