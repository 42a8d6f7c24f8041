/** What adding a person to a ticket's participants gives: the new list, or why not. */
export type AddResult = { ok: true; list: string[] } | { ok: false; problem: 'invalid' | 'requester' | 'already' | 'full' };

/** The most participants a ticket keeps (as the API). */
export const MAX_PARTICIPANTS = 50;

/** A plausible address: one @, something on each side, a dot in the domain, no spaces. */
const ADDRESS = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function addParticipant(list: string[], input: string, requester: string): AddResult {
  const email = input.trim().toLowerCase();
  if (!ADDRESS.test(email) || email.length > 254) return { ok: false, problem: 'invalid' };
  if (email === requester.trim().toLowerCase()) return { ok: false, problem: 'requester' };
  if (list.includes(email)) return { ok: false, problem: 'already' };
  if (list.length >= MAX_PARTICIPANTS) return { ok: false, problem: 'full' };
  return { ok: true, list: [...list, email] };
}

export function removeParticipant(list: string[], email: string): string[] {
  return list.filter((p) => p !== email);
}
