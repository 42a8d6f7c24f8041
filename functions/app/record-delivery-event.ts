import { readDeliveryEvent, type DeliveryEvent, type UnreadableReason } from '#core/delivery-events';
import { recordBounce, recordComplaint, type Actor } from '#core/ticket';
import { NotFoundError } from '#core/errors';
import type { TicketStore } from '#adapters/ticket-store';
import type { MailIndex } from '#adapters/mail-index';
import type { DeliveryHistory } from '#adapters/delivery-history';
import { logger } from '#shared/logger';
import { deliveryMetricNames } from '#definitions/metrics';

/**
 * One SES delivery event (from the delivery-events queue) onto the ticket of the
 * mail it is about. Safe to run twice, or at once, for the same event: each
 * recorded recipient is claimed first (claimOnce), so a redelivery adds nothing.
 *
 * What can never succeed (not JSON, a wrong shape, an event type we do not act
 * on, mail that is no ticket's) is an `ignored` outcome: the caller counts and
 * acknowledges it, so it never loops. A failure of the store is thrown: the
 * queue retries the message, then dead-letters it.
 */
export interface DeliveryDeps {
  store: Pick<TicketStore, 'applyChange'>;
  index: Pick<MailIndex, 'ticketFor' | 'claimOnce' | 'releaseClaim'>;
  /** Bounces and complaints by address, so the next reply to that address warns the agent. */
  history: Pick<DeliveryHistory, 'record'>;
  /**
   * SES may report an event before the sender has indexed the id SES gave it
   * (the two race in the sending function). A fresh event whose mail is not
   * found is looked up once more after this wait; default 1000 ms.
   */
  lookupRetryMs?: number;
  now?: () => number;
}

export type DeliveryOutcome =
  | { result: 'recorded'; type: 'Bounce' | 'Complaint'; ticketId: string; recorded: number; bounceType?: string }
  | { result: 'duplicate'; type: 'Bounce' | 'Complaint'; ticketId: string }
  | { result: 'noted'; type: 'DeliveryDelay' | 'Reject'; ticketId: string | null }
  | { result: 'ignored'; reason: UnreadableReason | 'no-ticket'; eventType?: string };

/** Delivery events arrive on behalf of no agent: the trail names the channel. */
const deliveryActor: Actor = { sub: 'system:delivery-events', email: 'mail' };

/** More recipients of one event are counted, not each recorded: an event names at most 50. */
const MAX_RECORDED_RECIPIENTS = 10;
/** Only an event this young may still be racing its sender's index write. */
const FRESH_MS = 5 * 60_000;

/** How the sender indexed the mail: send-reply.ts remembers `<SES id>@email.amazonses.com`. */
const indexedId = (sesMessageId: string) => `${sesMessageId}@email.amazonses.com`;

async function ticketOf(event: DeliveryEvent, deps: DeliveryDeps): Promise<string | undefined> {
  const ids = [indexedId(event.sesMessageId)];
  const found = await deps.index.ticketFor(ids);
  if (found) return found.ticketId;
  const age = (deps.now ?? Date.now)() - Date.parse(event.at);
  if (!(age >= -FRESH_MS && age <= FRESH_MS)) return undefined;
  await new Promise((r) => setTimeout(r, deps.lookupRetryMs ?? 1000));
  return (await deps.index.ticketFor(ids))?.ticketId;
}

export async function recordDeliveryEvent(body: string, deps: DeliveryDeps): Promise<DeliveryOutcome> {
  const read = readDeliveryEvent(body);
  if (!read.ok) return { result: 'ignored', reason: read.reason, ...(read.eventType !== undefined && { eventType: read.eventType }) };
  const event = read.event;
  // By address first, whatever ticket the mail was on (if any): any later ticket to it warns too.
  if (event.type === 'Bounce') await Promise.all(event.recipients.map((r) => deps.history.record(r.email, { kind: 'bounce', at: event.at, bounceType: event.bounceType })));
  if (event.type === 'Complaint') await Promise.all(event.recipients.map((email) => deps.history.record(email, { kind: 'complaint', at: event.at })));
  const ticketId = await ticketOf(event, deps);

  if (event.type === 'DeliveryDelay' || event.type === 'Reject') return { result: 'noted', type: event.type, ticketId: ticketId ?? null };
  if (!ticketId) return { result: 'ignored', reason: 'no-ticket', eventType: event.type };

  // One trail event per recipient (normally one: the requester), each claimed first.
  const changes: { recipient: string; change: Parameters<TicketStore['applyChange']>[1] }[] =
    event.type === 'Bounce'
      ? event.recipients.map((r) => ({
          recipient: r.email,
          change: (t) =>
            recordBounce(t, { recipient: r.email, status: r.status, action: r.action, diagnostic: r.diagnostic, bounceType: event.bounceType, sesMessageId: event.sesMessageId }, event.at, deliveryActor),
        }))
      : event.recipients.map((email) => ({
          recipient: email,
          change: (t) => recordComplaint(t, { recipient: email, feedbackType: event.feedbackType, sesMessageId: event.sesMessageId }, event.at, deliveryActor),
        }));
  let recorded = 0;
  for (const [i, { change }] of changes.slice(0, MAX_RECORDED_RECIPIENTS).entries()) {
    const claim = `delivery#${event.eventKey}#${i}`;
    if (!(await deps.index.claimOnce(ticketId, claim))) continue;
    try {
      await deps.store.applyChange(ticketId, change);
      recorded++;
    } catch (err) {
      // Give the claim back, so the queue's retry records what this attempt could not.
      await deps.index.releaseClaim(ticketId, claim);
      // The index outlived its ticket (erased): nothing to record it on, ever.
      if (err instanceof NotFoundError) return { result: 'ignored', reason: 'no-ticket', eventType: event.type };
      throw err;
    }
  }
  if (!recorded) return { result: 'duplicate', type: event.type, ticketId };
  return { result: 'recorded', type: event.type, ticketId, recorded, ...(event.type === 'Bounce' && { bounceType: event.bounceType }) };
}

/** What a recorded delivery event counts and logs (ids, types and reasons only: the event carries addresses). */
export function noteDeliveryOutcome(outcome: DeliveryOutcome, sqsMessageId: string, count: (metric: string) => void) {
  switch (outcome.result) {
    case 'recorded':
      count(outcomeMetric[outcome.type]!);
      logger.info('Delivery event recorded', { ticketId: outcome.ticketId, type: outcome.type, recipients: outcome.recorded, bounceType: outcome.bounceType });
      break;
    case 'duplicate':
      logger.info('Delivery event already recorded', { ticketId: outcome.ticketId, type: outcome.type });
      break;
    case 'noted':
      count(outcomeMetric[outcome.type]!);
      logger.info('Delivery event noted', { ticketId: outcome.ticketId, type: outcome.type });
      break;
    case 'ignored':
      // Still a bounce or complaint of ours, counted for the rates, though no ticket has the mail.
      if (outcome.reason === 'no-ticket' && outcome.eventType) count(outcomeMetric[outcome.eventType]!);
      count('DeliveryEventUnmatched');
      logger.warn('Delivery event acknowledged without effect', { messageId: sqsMessageId, reason: outcome.reason, eventType: outcome.eventType });
      break;
  }
}

const outcomeMetric: Record<string, string> = {
  Bounce: deliveryMetricNames.bounced,
  Complaint: deliveryMetricNames.complained,
  DeliveryDelay: 'MailDeliveryDelayed',
  Reject: 'MailRejected',
};
