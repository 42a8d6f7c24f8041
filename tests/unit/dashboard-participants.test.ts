import { describe, expect, it } from 'vitest';
import { addParticipant, MAX_PARTICIPANTS, removeParticipant } from '../../dashboard/src/participants.ts';
import { t } from '../../dashboard/src/i18n/index.ts';

describe('the ticket view adds and removes participants', () => {
  it('adds a normalised address at the end of the list', () => {
    expect(addParticipant(['a@example.com'], '  B@Example.com ', 'req@example.com')).toEqual({ ok: true, list: ['a@example.com', 'b@example.com'] });
  });

  it('refuses what the API would, with a reason it can show', () => {
    expect(addParticipant([], 'not an address', 'req@example.com')).toEqual({ ok: false, problem: 'invalid' });
    expect(addParticipant([], 'Req@example.com', 'req@example.com')).toEqual({ ok: false, problem: 'requester' });
    expect(addParticipant(['a@example.com'], 'a@example.com', 'req@example.com')).toEqual({ ok: false, problem: 'already' });
    const full = Array.from({ length: MAX_PARTICIPANTS }, (_, i) => `p${i}@example.com`);
    expect(addParticipant(full, 'one.more@example.com', 'req@example.com')).toEqual({ ok: false, problem: 'full' });
  });

  it('removes one person and keeps the others in order', () => {
    expect(removeParticipant(['a@example.com', 'b@example.com', 'c@example.com'], 'b@example.com')).toEqual(['a@example.com', 'c@example.com']);
  });

  it('every reason reads in English and Portuguese', () => {
    for (const problem of ['invalid', 'requester', 'already', 'full'] as const) {
      const en = t(`participants.${problem}`, undefined, 'en');
      const pt = t(`participants.${problem}`, undefined, 'pt-BR');
      expect(en).not.toBe(`participants.${problem}`);
      expect(pt).not.toBe(en);
    }
    expect(t('participants.remove', { email: 'a@example.com' }, 'pt-BR')).toBe('Remover a@example.com dos participantes');
  });
});
