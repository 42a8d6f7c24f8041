/**
 * Whether the sender of a mail is who the From address says, by the verdicts
 * SES gives with each received mail (SPF, DKIM, DMARC). A mail that fails
 * DMARC, or fails both SPF and DKIM, may have been sent in someone else's
 * name: it still becomes a ticket, flagged unverified, but the desk never
 * mails that address on its own (acknowledgement, notices, survey), so a
 * forger cannot make the desk's signed domain write to their victim. Nor
 * does it count as the person on a ticket: it is not threaded by a subject
 * token, and its CCs become no one's participants.
 * GRAY (not determinable) and PROCESSING_FAILED are not failures: most
 * small senders publish no DMARC record at all.
 */
export function unverifiedSender(verdicts: Record<string, string | undefined>): boolean {
  const failed = (v: string) => verdicts[v]?.toUpperCase() === 'FAIL';
  return failed('dmarc') || (failed('spf') && failed('dkim'));
}

/** An automatic mail to the requester (acknowledgement, lifecycle notice, survey) is allowed only to a verified sender. */
export function mayMailAutomatically(ticket: { unverified?: boolean }): boolean {
  return ticket.unverified !== true;
}
