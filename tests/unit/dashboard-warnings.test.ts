import { describe, expect, it } from 'vitest';
import { replyWarnings, warningText } from '../../dashboard/src/recipient-warnings.ts';
import type { RecipientWarning } from '../../dashboard/src/types.ts';

const bounced: RecipientWarning = { code: 'recipient_bounced', address: 'ana@example.com', at: '2026-03-10T12:00:00Z', type: 'permanent' };
const full: RecipientWarning = { ...bounced, type: 'transient' };
const complained: RecipientWarning = { code: 'recipient_complained', address: 'bob@example.com', at: '2026-03-11T09:30:00Z', type: 'complaint' };

describe('the composer warns about addresses that bounced or complained', () => {
  it('says what happened to which address, and when, in English', () => {
    expect(warningText(bounced, 'en')).toMatch(/^Mail to ana@example\.com bounced on .*2026.*: the address may not exist/);
    expect(warningText(full, 'en')).toMatch(/^Mail to ana@example\.com could not be delivered on .*temporary failure/);
    expect(warningText(complained, 'en')).toMatch(/^bob@example\.com marked our mail as spam on .*2026/);
  });

  it('and in Portuguese', () => {
    expect(warningText(bounced, 'pt-BR')).toMatch(/^O e-mail para ana@example\.com voltou em .*2026/);
    expect(warningText(full, 'pt-BR')).toMatch(/falha temporária/);
    expect(warningText(complained, 'pt-BR')).toMatch(/^bob@example\.com marcou nosso e-mail como spam em/);
  });

  it('warns while writing a reply, never a note (mailed to no one)', () => {
    expect(replyWarnings('reply', [bounced, complained])).toEqual([bounced, complained]);
    expect(replyWarnings('note', [bounced])).toEqual([]);
    expect(replyWarnings('reply', undefined)).toEqual([]);
  });
});
