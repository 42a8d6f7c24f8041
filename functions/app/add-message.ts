import { addAgentMessage, type Actor, type AuditEvent, type Message, type Ticket } from '#core/ticket';
import { fileKeys } from '#adapters/mail-objects';
import { limits } from '#core/schemas';
import { NotFoundError, RuleViolationError } from '#core/errors';
import { can, type Rights } from '#core/access';
import type { Policy } from '#core/policy';
import { replyRecipients, type RecipientWarning } from '#core/recipient-warnings';

/**
 * An agent's message on a ticket: a public reply (mailed to the customer) or
 * an internal note (never mailed). Adding a message commutes with other
 * writes: once the ticket's state is settled (a first reply opens it),
 * applyChange bumps the version without a version condition, so a burst of
 * replies, notes and edits never answers one of them with a 409.
 */
export interface AddMessageDeps {
  tickets: {
    applyChange<C extends { ticket: Ticket; event: AuditEvent; message: Message }>(id: string, change: (ticket: Ticket) => C | undefined): Promise<C | undefined>;
  };
  lifecycle: { signal(ticketId: string): Promise<unknown> };
  /** An uploaded file's size and type, or undefined when it was never uploaded. */
  describe(key: string): Promise<{ size: number; contentType: string } | undefined>;
  warningsFor(recipients: string[]): Promise<RecipientWarning[]>;
  /** Mails a reply; absent when mail is off (replies are then kept, not mailed). */
  sendReply?(ticket: Ticket, message: Message): Promise<{ sesMessageId: string }>;
  onMailFailed(ticketId: string, err: Error): void;
  policy: Policy;
}

export type ReplyMail = { status: 'sent'; sesMessageId: string } | { status: 'failed' } | { status: 'not-mailed' };

export async function addMessage(
  request: { ticketId: string; kind: 'reply' | 'note'; body: string; attachments?: { key: string }[] | undefined; principal: Rights; actor: Actor; at: string },
  deps: AddMessageDeps,
): Promise<{ ticket: Ticket; message: Message; mail: ReplyMail; warnings: RecipientWarning[] }> {
  const attachments = request.attachments?.length ? await resolveUploads(request.ticketId, request.attachments, deps) : undefined;
  let seqBefore = 0;
  const { ticket, message } = (await deps.tickets.applyChange(request.ticketId, (current) => {
    // A ticket the caller may not see (or no longer may: it was moved meanwhile) does not exist for them.
    if (!can(request.principal, current)) throw new NotFoundError('Ticket');
    seqBefore = current.lifecycleSeq;
    return addAgentMessage(current, { kind: request.kind, body: request.body, attachments }, request.actor, request.at, deps.policy);
  }))!;
  if (ticket.lifecycleSeq !== seqBefore) await deps.lifecycle.signal(ticket.id);
  // A public reply to an address that bounced or complained before goes out, and says so. Read before
  // the send: this reply's own bounce can be recorded within milliseconds and is not a "before".
  const warnings = message.kind === 'reply' ? await deps.warningsFor(replyRecipients(ticket)) : [];
  // The reply is saved whatever happens to the mail; the agent sees whether it went out.
  let mail: ReplyMail = { status: 'not-mailed' };
  if (message.kind === 'reply' && !ticket.spam && deps.sendReply) {
    try {
      mail = { status: 'sent', ...(await deps.sendReply(ticket, message)) };
    } catch (err) {
      deps.onMailFailed(ticket.id, err as Error);
      mail = { status: 'failed' };
    }
  }
  return { ticket, message, mail, warnings };
}

/** Uploaded files must be this ticket's, and must really have been uploaded. */
async function resolveUploads(ticketId: string, uploads: { key: string }[], deps: Pick<AddMessageDeps, 'describe'>) {
  return Promise.all(
    [...new Set(uploads.map((u) => u.key))].map(async (key) => {
      if (!fileKeys.isUpload(key, ticketId)) throw new RuleViolationError('foreign_attachment', 'An attachment must be uploaded for this ticket');
      const found = await deps.describe(key);
      if (!found) throw new RuleViolationError('attachment_missing', 'An attachment was not uploaded (or its link expired before the upload)');
      if (found.size > limits.attachmentBytes) throw new RuleViolationError('attachment_too_large', 'An attachment is larger than 10 MB');
      return { filename: fileKeys.filename(key), contentType: found.contentType, size: found.size, key };
    }),
  );
}
