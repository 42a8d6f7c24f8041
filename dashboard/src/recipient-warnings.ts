import { formatDateTime } from './format.ts';
import { t, type Language } from './i18n/index.ts';
import type { RecipientWarning } from './types.ts';

/** One line for the agent about an address a reply goes to: it bounced, or its owner marked our mail as spam. */
export function warningText(w: RecipientWarning, lang: Language): string {
  const params = { address: w.address, at: formatDateTime(w.at, lang) };
  if (w.code === 'recipient_complained') return t('warning.complained', params, lang);
  return t(w.type === 'transient' ? 'warning.bouncedTransient' : 'warning.bounced', params, lang);
}

/** The warnings that concern a public reply: none for a note, which is mailed to no one. */
export function replyWarnings(kind: 'reply' | 'note', warnings: RecipientWarning[] | undefined): RecipientWarning[] {
  return kind === 'reply' ? (warnings ?? []) : [];
}
