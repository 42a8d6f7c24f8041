import { useState } from 'preact/hooks';
import { t } from '../i18n/index.ts';
import { addParticipant, removeParticipant } from '../participants.ts';
import type { Ticket } from '../types.ts';
import type { Change } from './ticket-actions.tsx';

/**
 * Who else is copied on the ticket's public replies. People who write in are
 * not added on their own: the requester or a participant copies them, or an
 * agent adds them here. Each change is one PATCH with the version on screen.
 */
export function Participants({ ticket, busy, onChange }: { ticket: Ticket; busy: boolean; onChange: (change: Change) => void }) {
  const [input, setInput] = useState('');
  const [problem, setProblem] = useState<string>();
  const list = ticket.participants ?? [];
  const disabled = busy || ticket.status === 'closed';

  const add = (e: Event) => {
    e.preventDefault();
    const r = addParticipant(list, input, ticket.requester.email);
    if (!r.ok) return setProblem(t(`participants.${r.problem}`));
    setProblem(undefined);
    setInput('');
    onChange({ participants: r.list });
  };

  return (
    <section class="card" aria-labelledby="participants-title">
      <h2 id="participants-title">{t('participants.title')}</h2>
      <p class="muted small">{t('participants.hint')}</p>
      {list.length === 0 ? (
        <p class="muted">{t('participants.none')}</p>
      ) : (
        <ul class="participants">
          {list.map((p) => (
            <li key={p}>
              <span>{p}</span>{' '}
              <button type="button" class="btn btn-small btn-ghost" disabled={disabled} aria-label={t('participants.remove', { email: p })} onClick={() => onChange({ participants: removeParticipant(list, p) })}>
                {t('participants.removeShort')}
              </button>
            </li>
          ))}
        </ul>
      )}
      <form class="field-row" onSubmit={add} noValidate>
        <div class="field">
          <label for="participant-new">{t('participants.addLabel')}</label>
          <input
            id="participant-new"
            type="email"
            value={input}
            disabled={disabled}
            maxLength={254}
            aria-invalid={problem ? 'true' : undefined}
            aria-describedby={problem ? 'participant-problem' : undefined}
            onInput={(e) => setInput((e.currentTarget as HTMLInputElement).value)}
          />
        </div>
        <button type="submit" class="btn btn-small" disabled={disabled || !input.trim()}>
          {t('participants.add')}
        </button>
      </form>
      {problem && (
        <p id="participant-problem" class="error small" role="alert">
          {problem}
        </p>
      )}
    </section>
  );
}
