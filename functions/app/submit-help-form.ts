import { logger } from '#shared/logger';
import { submissionFingerprint, type HelpForm } from '#core/customer-forms';
import type { Actor, Ticket } from '#core/ticket';
import type { WebFormGuard } from '#adapters/web-form-guard';
import { openTicket, type OpenTicketDeps } from './open-ticket.ts';

/**
 * The web form (POST /help) opens a ticket, exactly as an agent's POST
 * /tickets does (triage, the policy's deadlines, the lifecycle), with channel
 * `web`, and the customer gets the acknowledgement mail with the status link.
 * In order: the same submission again within 10 minutes gets the first one's
 * answer (and finishes what the first left undone); more submissions an hour
 * per address or per source IP than the policy's `webForm` limits allow are
 * throttled; otherwise the ticket opens and is acknowledged.
 */
export interface HelpFormDeps extends OpenTicketDeps {
  tickets: OpenTicketDeps['tickets'] & { getTicket(id: string): Promise<Ticket | undefined> };
  lifecycle: { start(ticketId: string): Promise<unknown> };
  guard: Pick<WebFormGuard, 'earlier' | 'allow' | 'claim' | 'release' | 'plausibleTicketNumber'>;
  /** Mails the acknowledgement; absent when mail is off (tickets then open without one). */
  acknowledge?: ((ticket: Ticket) => Promise<unknown>) | undefined;
}

export type HelpFormOutcome = { ticketNumber: number } | { throttled: { retryAfterSeconds: number } };

/** How long the same submission is answered with the first one's ticket. */
export const DUPLICATE_WINDOW_SECONDS = 10 * 60;

/** The web form opens tickets on behalf of no agent: the audit trail names the channel. */
const webActor: Actor = { sub: 'system:web-form', email: 'web' };

/** A robot (the honeypot filled) learns nothing: the answer a person would get, with a number that is not a ticket. */
export async function answerRobot(deps: Pick<HelpFormDeps, 'guard'>): Promise<HelpFormOutcome> {
  logger.info('Web form honeypot filled; no ticket opened');
  return { ticketNumber: await deps.guard.plausibleTicketNumber() };
}

export async function submitHelpForm(request: { form: HelpForm; sourceIp: string; language?: string | undefined; now: Date }, deps: HelpFormDeps): Promise<HelpFormOutcome> {
  const { form, now } = request;
  const { guard, policy } = deps;
  // A double click, a refresh or a retry: the first ticket's answer, and no second ticket.
  const fingerprint = submissionFingerprint(form);
  const earlier = await guard.earlier(fingerprint);
  if (earlier) return again(earlier, deps);

  const limits = [
    { subject: `email:${form.email}`, limit: policy.webForm.perAddressPerHour },
    { subject: `ip:${request.sourceIp}`, limit: policy.webForm.perIpPerHour },
  ];
  if (!(await guard.allow(limits))) {
    logger.warn('Web form throttled');
    return { throttled: { retryAfterSeconds: 3600 - (Math.floor(now.getTime() / 1000) % 3600) } };
  }

  const requester = { email: form.email, ...(form.name ? { name: form.name } : {}) };
  const outcome = await openTicket(
    {
      input: { requester, subject: form.subject, body: form.message, channel: 'web' },
      actor: webActor,
      at: now.toISOString(),
      // The language the customer read the form in (else their browser's): our mails and pages for this ticket use it.
      // None (a script that posts neither): the language of the text, when the detector is sure.
      language: request.language,
      // The same submission, sent at the same moment, got there first (this number is skipped).
      claim: async (ticket) => {
        const claim = await guard.claim(fingerprint, { ticketNumber: ticket.number, ticketId: ticket.id }, DUPLICATE_WINDOW_SECONDS);
        return claim.claimed ? undefined : claim.earlier;
      },
      // Not opened: the customer may send the form again.
      release: (ticket) => guard.release(fingerprint, ticket.number),
      stored: async (ticket) => logger.info('Web form opened a ticket', { ticketId: ticket.id }),
    },
    deps,
  );
  if ('held' in outcome) return again(outcome.held, deps);
  // Random 80-bit ids do not collide in practice; if one ever did, say so rather than thank (its claim is released).
  if (!('opened' in outcome)) throw new Error('ticket id collision');
  // If its lifecycle did not start, the customer sees an error and sends again: the duplicate path starts it (a second start is a no-op).
  await acknowledge(outcome.opened, deps);
  return { ticketNumber: outcome.opened.number };
}

/**
 * The answer to a repeated submission. If the first request stopped after
 * storing its ticket (before its lifecycle started or its mail went out),
 * this one finishes the job: both steps happen once whoever runs them.
 */
async function again(earlier: { ticketNumber: number; ticketId?: string | undefined }, deps: HelpFormDeps): Promise<HelpFormOutcome> {
  const ticket = earlier.ticketId ? await deps.tickets.getTicket(earlier.ticketId) : undefined;
  if (ticket) {
    await deps.lifecycle.start(ticket.id);
    await acknowledge(ticket, deps);
  }
  return { ticketNumber: earlier.ticketNumber };
}

/** The ticket is open whatever happens to the mail: a failed send is logged, and its claim released so a retry can send it. */
async function acknowledge(ticket: Ticket, deps: HelpFormDeps) {
  if (!deps.acknowledge) return;
  try {
    await deps.acknowledge(ticket);
  } catch (err) {
    logger.error('Web form ticket opened but not acknowledged', { ticketId: ticket.id, error: (err as Error).name });
  }
}
